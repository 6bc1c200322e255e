package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.viewer;
import static dev.modelyard.server.ddi.DdiFlowTest.assign;
import static dev.modelyard.server.ddi.DdiFlowTest.device;
import static dev.modelyard.server.ddi.DdiFlowTest.publishedModel;
import static dev.modelyard.server.ddi.DdiFlowTest.report;
import static dev.modelyard.server.ddi.DdiFlowTest.x86;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.modelyard.server.Api;
import dev.modelyard.server.ddi.DdiFlowTest.Dev;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

/**
 * The DDI API stays as lenient as hawkBit while the management API is strict: stock hawkBit
 * clients send fields and query parameters Modelyard does not know, and must keep working.
 */
@QuarkusTest
class DdiLenientInputTest {

    @Test
    void unknownFieldsAndQueryParametersOfDevicesAreIgnored() {
        String model = publishedModel("1.0.0", Api.onnxModel(3), Api.onnxModel(4));
        Dev d = device("lenient");
        report(d, x86(""));
        long actionId = assign(model, "1.0.0", d, "forced").getLong("actions[0].id");

        d.as().accept("application/hal+json").queryParam("clientVersion", "9.9").get(d.path()).then().statusCode(200)
                .body("_links.deploymentBase.href", notNullValue());
        d.as().queryParam("c", "-2129030598").queryParam("actionHistory", "2")
                .get(d.path() + "/deploymentBase/" + actionId).then().statusCode(200);
        d.as().contentType(ContentType.JSON)
                .body("{\"timestamp\":1700000000000,\"vendorExtension\":{\"battery\":81},\"status\":{\"execution\":\"closed\","
                        + "\"result\":{\"finished\":\"success\",\"progress\":{\"cnt\":2,\"of\":2}},\"code\":200,"
                        + "\"details\":[\"installed\"],\"unknownStatusField\":true}}")
                .post(d.path() + "/deploymentBase/" + actionId + "/feedback").then().statusCode(200);
        viewer().get("/api/v1/actions/{id}", actionId).then().body("status", equalTo("finished")).body("active", equalTo(false));
    }
}
