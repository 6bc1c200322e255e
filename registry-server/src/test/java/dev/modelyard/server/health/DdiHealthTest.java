package dev.modelyard.server.health;

import static dev.modelyard.server.Api.viewer;
import static dev.modelyard.server.health.HealthFixtures.feedback;
import static dev.modelyard.server.health.HealthFixtures.health;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Serving health over DDI feedback: stored with the feedback, shown on the action, impossible figures refused. */
@QuarkusTest
class DdiHealthTest {

    private static final String STOCK = "{\"id\":\"1\",\"time\":\"20140511T121314\",\"status\":{\"execution\":\"proceeding\","
            + "\"result\":{\"finished\":\"none\",\"progress\":{}}}}";

    @Test
    void healthIsStoredNewestFirstAndShownOnTheAction() {
        String model = HealthFixtures.publishedModel("1.1.0");
        HealthFixtures.Dev d = HealthFixtures.device();
        long action = HealthFixtures.assign(model, "1.1.0", d);

        // A stock hawkBit body: recorded as always, and the action has no health member.
        d.feedback(action, STOCK).statusCode(200).body(emptyString());
        viewer().get("/api/v1/actions/{id}", action).then().statusCode(200).body("health", nullValue());

        d.feedback(action, feedback("proceeding", "none", List.of(health(model, "1.1.0", 200, 2, 3.0, 12.0, 1.2, "passed", false))))
                .statusCode(200).body(emptyString());
        d.feedback(action, feedback("closed", "success", List.of(health(model, "1.1.0", 400, 4, 3.5, 14.0, 1.4, "passed", true))))
                .statusCode(200).body(emptyString());

        viewer().get("/api/v1/actions/{id}", action).then().statusCode(200)
                .body("status", equalTo("finished"))
                .body("health", hasSize(1))
                .body("health[0].model", equalTo(model))
                .body("health[0].version", equalTo("1.1.0"))
                .body("health[0].replacedVersion", equalTo("0.9.0"))
                .body("health[0].requests", equalTo(400))
                .body("health[0].errors", equalTo(4))
                .body("health[0].errorRate", equalTo(0.01f))
                .body("health[0].p50Ms", equalTo(3.5f))
                .body("health[0].p99Ms", equalTo(14.0f))
                .body("health[0].p99Ratio", equalTo(1.4f))
                .body("health[0].selfTest", equalTo("passed"))
                .body("health[0].complete", equalTo(true))
                .body("health[0].reportedAt", containsString("T"));
        // The device shows the last figures of the model it now runs.
        viewer().get("/api/v1/devices/{d}", d.id()).then().statusCode(200)
                .body("installed[0].version", equalTo("1.1.0"))
                .body("installed[0].health.requests", equalTo(400))
                .body("installed[0].health.p99Ratio", equalTo(1.4f))
                .body("installed[0].health.complete", equalTo(true));
        // Lists stay light: health only on the single action.
        viewer().get("/api/v1/actions?device={d}", d.id()).then().statusCode(200).body("items[0].health", nullValue());
    }

    @Test
    void impossibleFiguresAreRefusedLikeUnreadableFeedbackAndNothingIsRecorded() {
        String model = HealthFixtures.publishedModel("1.2.0");
        HealthFixtures.Dev d = HealthFixtures.device();
        long action = HealthFixtures.assign(model, "1.2.0", d);

        List<String> bad = List.of(
                health(model, "1.2.0", 10, 11, 1.0, 2.0, null, "none", false),            // more errors than requests
                health(model, "1.2.0", -1, 0, 1.0, 2.0, null, "none", false),             // negative
                health(model, "1.2.0", 10, 1, -1.0, 2.0, null, "none", false),            // negative latency
                health(model, "1.2.0", 10, 1, 1.0, 2.0, null, "maybe", false),            // unknown self-test outcome
                health("another-model", "1.2.0", 10, 1, 1.0, 2.0, null, "none", false),   // not the action's model
                health(model, "1.1.0", 10, 1, 1.0, 2.0, null, "none", false));            // not the action's version
        List<String> reasons = List.of("errors: 11 is more than the 10 requests", "requests: must not be negative",
                "p50Ms: -1.0", "selfTest: 'maybe'", "'another-model' is not the action's model",
                "modelyardHealth.version: '1.1.0' is not the action's version '1.2.0'");
        for (int i = 0; i < bad.size(); i++) {
            d.feedback(action, feedback("closed", "success", List.of(bad.get(i)))).statusCode(400)
                    .contentType(ContentType.JSON)
                    .body("errorCode", equalTo("hawkbit.server.error.rest.body.notReadable"))
                    .body("message", containsString(reasons.get(i)));
        }
        // NaN is not JSON; a string where a number belongs is unreadable too; so is a null entry and a model twice.
        d.feedback(action, feedback("closed", "success", List.of("{\"model\":\"" + model + "\",\"version\":\"1.2.0\",\"requests\":\"many\"}")))
                .statusCode(400).body("errorCode", equalTo("hawkbit.server.error.rest.body.notReadable"));
        d.feedback(action, feedback("closed", "success", List.of("null"))).statusCode(400)
                .body("message", containsString("modelyardHealth: an entry is null"));
        String ok = health(model, "1.2.0", 10, 1, 1.0, 2.0, null, "none", false);
        d.feedback(action, feedback("closed", "success", List.of(ok, ok))).statusCode(400)
                .body("message", containsString("reported twice"));

        // None of the refused bodies closed the action or left figures behind.
        viewer().get("/api/v1/actions/{id}", action).then().statusCode(200)
                .body("status", equalTo("running")).body("active", equalTo(true)).body("health", nullValue());
        d.feedback(action, feedback("closed", "success", List.of(ok))).statusCode(200);
        viewer().get("/api/v1/actions/{id}", action).then().statusCode(200)
                .body("status", equalTo("finished")).body("health[0].requests", equalTo(10));
    }
}
