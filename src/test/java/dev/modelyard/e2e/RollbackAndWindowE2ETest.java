package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Deployments;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed rollbacks and maintenance windows with the real server and the packaged updater: a
 * device goes back to an older release only with a rollback authorization, and an action with
 * a closed window is downloaded but waits, open, until its window opens.
 */
class RollbackAndWindowE2ETest {

    @TempDir
    Path work;

    @Test
    void aRollbackDeploymentTakesTheDeviceBackAndAWindowHoldsTheInstall() throws Exception {
        try (DeviceRig rig = DeviceRig.start(work, "e2e_rollback_window",
                // Last-seen times to the second: the test watches the device poll on while it waits.
                Map.of("MODELYARD_DDI_LAST_SEEN_RESOLUTION", "PT1S", "MODELYARD_DDI_LAST_SEEN_FLUSH_INTERVAL", "1s"),
                "96m", "health.window=0s")) {
            rig.startUpdater();
            rig.awaitAttributes();
            rig.release("1.0.0", OnnxModels.addBias(1, 1, 1, 1));
            rig.release("1.1.0", OnnxModels.addBias(2, 2, 2, 2));
            rig.deploy("1.1.0");
            rig.awaitServed("1.1.0");
            assertEquals("finished", rig.awaitClosed("1.1.0", DeviceRig.WAIT).status());

            // Without the option the server refuses: the updater would refuse the lower counter.
            ApiProblemException refused = Fixtures.refused(() -> rig.deploy("1.0.0"));
            assertEquals("release-counter-rollback", refused.code());
            assertTrue(refused.getMessage().contains("\"rollback\": true"), refused.getMessage());

            Deployments.Assignment back = rig.api.deployments().assign(
                    Deployments.Assign.toDevice("kws", "1.0.0", "cam-1").asRollback());
            assertEquals(1, back.assigned(), back.toString());
            assertEquals(Boolean.TRUE, back.actions().get(0).rollback());
            rig.awaitServed("1.0.0");
            assertEquals(1.0, DeviceRig.answer(rig.infer(1)).y0(), 1e-6);
            Deployments.Action rolledBack = rig.awaitClosed("1.0.0", DeviceRig.WAIT);
            assertEquals("finished", rolledBack.status(), rolledBack.toString());

            // A window that opens 12 hours from now is closed now, whatever the time of day.
            rig.release("2.0.0", OnnxModels.addBias(3, 3, 3, 3));
            ZonedDateTime opens = ZonedDateTime.now(ZoneOffset.UTC).plusHours(12);
            Deployments.Assignment held = rig.api.deployments().assign(Deployments.Assign.toDevice("kws", "2.0.0", "cam-1")
                    .within(new Deployments.Window(opens.getMinute() + " " + opens.getHour() + " * * *", "PT1H", "UTC")));
            long actionId = held.actions().get(0).id();
            rig.await("the device downloads 2.0.0 and waits for the window", DeviceRig.WAIT,
                    () -> rig.action("2.0.0").status().equals("downloaded"));
            // Downloaded, not installed; the action stays open.
            assertTrue(rig.action("2.0.0").active());
            assertEquals("1.0.0", DeviceRig.answer(rig.infer(1)).version());
            // The device keeps asking on its polls and keeps waiting: it is seen polling a few
            // more times while the action stays downloaded and the old version serves.
            java.time.Instant seen = rig.api.devices().get("cam-1").lastSeenAt();
            rig.await("the device polls again", DeviceRig.WAIT,
                    () -> rig.api.devices().get("cam-1").lastSeenAt().isAfter(seen.plusSeconds(2)));
            assertEquals("downloaded", rig.action("2.0.0").status());
            assertEquals("1.0.0", DeviceRig.answer(rig.infer(1)).version());

            // The window opens (now every minute, for an hour): the same action installs, from the
            // file already downloaded.
            assertEquals(1, rig.sql("UPDATE action SET maintenance_schedule = '* * * * *' WHERE id = ?", actionId));
            assertEquals(1, rig.sql("UPDATE device SET state_version = state_version + 1 WHERE controller_id = 'cam-1'"));
            rig.awaitServed("2.0.0");
            Deployments.Action installed = rig.awaitClosed("2.0.0", DeviceRig.WAIT);
            assertEquals("finished", installed.status(), installed.toString());
            assertEquals(actionId, installed.id());
            List<String> steps = rig.history(actionId).stream().map(Deployments.Status::type).toList();
            assertEquals(1, steps.stream().filter("downloaded"::equals).count(), steps.toString());
        }
    }
}
