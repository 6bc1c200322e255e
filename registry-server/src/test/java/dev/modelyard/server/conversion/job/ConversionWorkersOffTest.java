package dev.modelyard.server.conversion.job;

import static dev.modelyard.server.conversion.job.Conversions.builtin;
import static dev.modelyard.server.conversion.job.Conversions.jobsOf;
import static dev.modelyard.server.conversion.job.Conversions.profileBody;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.server.Api;
import dev.modelyard.server.QuietReplicaProfile;
import dev.modelyard.server.conversion.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A replica with no workers takes no jobs: they wait, queued, for one that has. */
@QuarkusTest
@TestProfile(QuietReplicaProfile.class)
class ConversionWorkersOffTest {

    @Test
    void jobsStayQueuedAndAQueuedJobIsCancelledAtOnce() {
        Conversions conversions = new Conversions();
        try {
            conversions.profile(profileBody(Api.uniqueName("idle"), builtin("ort-optimize"), Map.of("format", "onnx", "arch", "x86_64"), null));
            String m = Api.modelWithArtifact("conv-idle", "1.0.0", TestModels.bytes(TestModels.mlp(4, 8, 2, 71)));
            Conversions.publish(m, "1.0.0");
            List<Map<String, Object>> jobs = jobsOf(m, "1.0.0");
            assertEquals(1, jobs.size());
            long id = ((Number) jobs.get(0).get("id")).longValue();
            Conversions.sleep(1500);
            JsonPath j = Conversions.job(id);
            assertEquals("queued", j.getString("status"));
            assertEquals(0, j.getInt("attempts"));

            Api.publisher().post("/api/v1/conversion/jobs/{id}/cancel", id).then().statusCode(200)
                    .body("status", org.hamcrest.Matchers.equalTo("cancelled"));
            Api.publisher().post("/api/v1/conversion/jobs/{id}/retry", id).then().statusCode(200)
                    .body("status", org.hamcrest.Matchers.equalTo("queued"));
            Api.viewer().get("/api/v1/conversion/jobs?model={m}&status=queued", m).then().statusCode(200)
                    .body("total", org.hamcrest.Matchers.equalTo(1));
        } finally {
            conversions.deleteProfiles();
        }
    }
}
