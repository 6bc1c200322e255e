package dev.modelyard.server.desiredstate;

import dev.modelyard.server.Api;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;

/** What the manifest tests start from, made through the API. */
final class ModelFixtures {

    private ModelFixtures() {
    }

    /** A model with these versions published, each with one ONNX artifact; returns its name. */
    static String published(String... versions) {
        String m = Api.createModel("mf");
        long seed = 7;
        for (String v : versions) {
            Api.createVersion(m, v);
            Api.upload(m, v, "model.onnx", Api.onnxModel(seed++), null).then().statusCode(201);
            Api.publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, v).then().statusCode(200);
        }
        return m;
    }

    /** {@code n} devices named {@code tag-0…} carrying the tag. */
    static void devices(String tag, int n) {
        for (int i = 0; i < n; i++) {
            Api.publisher().contentType(ContentType.JSON).body(Map.of("controllerId", tag + "-" + i, "tags", List.of(tag)))
                    .post("/api/v1/devices").then().statusCode(201);
        }
    }
}
