package dev.modelyard.server.hawkbit;

import static dev.modelyard.server.hawkbit.HawkbitMgmtApiTest.admin;
import static dev.modelyard.server.hawkbit.HawkbitMgmtApiTest.basic;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.modelyard.server.Api;
import dev.modelyard.server.OperatorSettingsProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code modelyard.hawkbit.readable-target-tokens} on, admins read tokens back as hawkBit scripts expect. */
@QuarkusTest
@TestProfile(OperatorSettingsProfile.class)
class HawkbitReadableTokensTest {

    @Test
    void adminsReadTokensViewersDoNot() {
        String id = Api.uniqueName("readable");
        String token = "readable-token-" + id;
        admin().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", id, "securityToken", token)))
                .post("/rest/v1/targets").then().statusCode(201).body("[0].securityToken", equalTo(token));
        admin().get("/rest/v1/targets/{t}", id).then().statusCode(200).body("securityToken", equalTo(token));
        basic(Api.token("viewer")).get("/rest/v1/targets/{t}", id).then().statusCode(200).body("securityToken", nullValue());

        String changed = "changed-token-" + id;
        admin().contentType(ContentType.JSON).body(Map.of("securityToken", changed))
                .put("/rest/v1/targets/{t}", id).then().statusCode(200).body("securityToken", equalTo(changed));
        admin().get("/rest/v1/targets/{t}", id).then().statusCode(200).body("securityToken", equalTo(changed));
    }
}
