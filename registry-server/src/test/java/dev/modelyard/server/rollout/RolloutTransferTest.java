package dev.modelyard.server.rollout;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.rollout.RolloutFleet.awaitCount;
import static dev.modelyard.server.rollout.RolloutFleet.body;
import static dev.modelyard.server.rollout.RolloutFleet.create;
import static dev.modelyard.server.rollout.RolloutFleet.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.modelyard.server.Api;
import dev.modelyard.server.rollout.RolloutFleet.Dev;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rollout's transfer totals: what its devices reported downloading, summed in one aggregate. */
@QuarkusTest
class RolloutTransferTest {

    private static final String BASE = "aa".repeat(32);

    /**
     * Fetches the offered deployment and closes it with success and a transfer report: a delta of
     * {@code deltaBytes}, the full file when null, none at all when {@code report} is false. The payload's size.
     */
    private static long complete(Dev d, boolean report, Long deltaBytes) throws InterruptedException {
        long action = d.awaitOffer();
        JsonPath dep = d.as().accept("application/hal+json").get(d.path() + "/deploymentBase/" + action).then().statusCode(200)
                .extract().jsonPath();
        long size = dep.getLong("deployment.chunks[0].artifacts[0].size");
        String file = dep.getString("deployment.chunks[0].artifacts[0].filename");
        String how = deltaBytes == null ? "\"kind\":\"full\",\"bytes\":" + size
                : "\"kind\":\"delta\",\"method\":\"cdc\",\"base\":\"" + BASE + "\",\"bytes\":" + deltaBytes;
        String transfers = !report ? ""
                : ",\"modelyardTransfers\":[{\"file\":\"" + file + "\"," + how + ",\"fullSize\":" + size + "}]";
        d.as().contentType(ContentType.JSON).body("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"},"
                + "\"details\":[]}" + transfers + "}").post(d.path() + "/deploymentBase/" + action + "/feedback").then().statusCode(200);
        return size;
    }

    @Test
    void theRolloutSumsWhatItsDevicesDownloadedAndSaved() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("xfer");
        List<Dev> devs = RolloutFleet.devices(tag, 3);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true)).getLong("id");
        assertEquals(Map.of("reported", 0, "bytes", 0, "fullBytes", 0, "savedBytes", 0,
                "byKind", Map.of("full", 0, "compressed", 0, "delta", 0)), withoutPct(get(id).getMap("transfer")));
        assertNull(get(id).get("transfer.savedPct"));

        long size = complete(devs.get(0), true, 100L);
        complete(devs.get(1), true, null);
        complete(devs.get(2), false, null);
        awaitCount(id, "succeeded", 3);

        JsonPath r = get(id);
        assertEquals(2, r.getInt("transfer.reported"));
        assertEquals(size + 100, r.getLong("transfer.bytes"));
        assertEquals(2 * size, r.getLong("transfer.fullBytes"));
        assertEquals(size - 100, r.getLong("transfer.savedBytes"));
        assertEquals(Math.round(1000.0 * (size - 100) / (2 * size)) / 10.0, r.getDouble("transfer.savedPct"), 1e-6);
        assertEquals(Map.of("full", 1, "compressed", 0, "delta", 1), r.getMap("transfer.byKind"));
        // The list leaves the aggregate out (one statement per rollout): GET one has it.
        assertNull(admin().get("/api/v1/rollouts").then().statusCode(200).extract().jsonPath()
                .get("items.find { it.id == " + id + " }.transfer"));
    }

    private static Map<String, Object> withoutPct(Map<String, Object> transfer) {
        Map<String, Object> out = new java.util.HashMap<>(transfer);
        out.remove("savedPct");
        return out;
    }
}
