package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Deployments;
import dev.modelyard.testing.OnnxModels;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a swap the device watches the new version under real load before it confirms the
 * deployment; a version that fails real requests is rolled back on its own, and a candidate
 * that exhausts the heap is refused without stopping the daemon. The server holds the serving
 * health the device reported: running figures during the window, final ones with the outcome.
 */
class HealthWindowE2ETest {

    @TempDir
    Path work;

    @Test
    void aVersionFailingRealRequestsIsRolledBackAndTheServerLearnsWhy() throws Exception {
        try (DeviceRig rig = DeviceRig.start(work, "e2e_health", Map.of(), "96m",
                // Latency on a shared test machine is noise; the error rate is what this test is about.
                // The window only has to outlast the 20 requests that judge 2.0.0: generous for a busy machine.
                "health.window=15s", "health.max.p99.factor=1000", "health.min.requests=20", "warmup.max.mb=1024",
                "health.report.interval=1s")) {
            rig.startUpdater();
            rig.awaitAttributes();
            rig.release("1.0.0", OnnxModels.addBias(1, 1, 1, 1));
            rig.deploy("1.0.0");
            rig.awaitServed("1.0.0");
            Deployments.Action v1 = rig.awaitClosed("1.0.0", DeviceRig.WAIT);
            assertEquals("finished", v1.status(), v1.toString());
            assertTrue(rig.historyHas("1.0.0", s -> s.messages().toString().contains("watching its health for 15 s")));
            // Confirmed by the judgement at the end of the window (too few requests came to judge more), not at the swap.
            assertTrue(rig.historyHas("1.0.0", s -> s.type().equals("finished")
                    && s.messages().toString().contains("too few requests to judge in the health window")), v1.toString());
            // Running figures during the window, then the final ones with the outcome.
            assertTrue(rig.historyHas("1.0.0", s -> s.type().equals("running")
                    && s.messages().toString().contains("health window: ")), v1.toString());
            Deployments.Health h1 = rig.health(v1.id());
            assertEquals("1.0.0", h1.version());
            assertNull(h1.replacedVersion(), "a first install replaces nothing");
            assertNull(h1.p99Ratio());
            assertEquals("none", h1.selfTest());
            assertTrue(h1.complete(), h1.toString());
            assertTrue(h1.servedSeconds() >= 15, h1.toString());

            // Clients send two rows per request; 2.0.0 was exported for one row only.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean rolledBack = new AtomicBoolean();
            AtomicLong ok = new AtomicLong();
            List<String> failures = new CopyOnWriteArrayList<>();
            List<String> failuresAfterRollback = new CopyOnWriteArrayList<>();
            Thread load = new Thread(() -> {
                while (!stop.get()) {
                    // Requests sent once the server knows of the rollback must all succeed; one sent
                    // earlier may still have reached 2.0.0, however late its answer comes.
                    boolean afterRollback = rolledBack.get();
                    try {
                        HttpResponse<String> r = rig.infer(2);
                        if (r.statusCode() == 200) ok.incrementAndGet();
                        else failures.add(r.statusCode() + " " + r.body());
                        if (r.statusCode() != 200 && afterRollback) failuresAfterRollback.add(r.statusCode() + " " + r.body());
                    } catch (Exception e) {
                        failures.add(e.toString());
                        if (afterRollback) failuresAfterRollback.add(e.toString());
                    }
                }
            });
            load.start();
            try {
                rig.release("2.0.0", OnnxModels.addBiasOneRowOnly(2, 2, 2, 2));
                rig.deploy("2.0.0");
                Deployments.Action v2 = rig.awaitClosed("2.0.0", DeviceRig.WAIT);
                rolledBack.set(true);
                assertEquals("error", v2.status(), v2.toString());
                assertTrue(v2.reason().startsWith("rolled back to 1.0.0: kws 2.0.0: error rate 1.00 > 0.05 in health window"),
                        v2.reason());
                assertEquals(1, rig.closings("2.0.0"));
                // The final figures describe the version that failed, not the one rolled back to.
                Deployments.Health h2 = rig.health(v2.id());
                assertEquals("2.0.0", h2.version());
                assertEquals("1.0.0", h2.replacedVersion());
                assertTrue(h2.complete(), h2.toString());
                assertTrue(h2.requests() >= 20 && h2.errors() >= 1 && h2.errors() <= h2.requests(), h2.toString());
                long before = ok.get();
                rig.await("requests succeed again", DeviceRig.WAIT, () -> ok.get() > before + 50);
                assertEquals(List.of(), failuresAfterRollback, "no request fails once rolled back");
            } finally {
                stop.set(true);
                load.join();
            }
            assertFalse(failures.isEmpty(), "2.0.0 really failed requests");
            assertTrue(failures.stream().allMatch(f -> f.startsWith("500 ") && f.contains("the model failed")), failures.get(0));
            assertEquals(new DeviceRig.Answer("1.0.0", 1.0), DeviceRig.answer(rig.infer(2)));

            // A 100 MB warm-up input under a 96 MB heap: refused, and the daemon keeps following the server.
            rig.release("3.0.0", OnnxModels.identity(1, 25_000_000));
            rig.deploy("3.0.0");
            Deployments.Action v3 = rig.awaitClosed("3.0.0", DeviceRig.WAIT);
            assertEquals("error", v3.status(), v3.toString());
            assertTrue(v3.reason().contains("out of memory"), v3.reason());
            assertEquals("1.0.0", DeviceRig.answer(rig.infer(1)).version());
            rig.release("4.0.0", OnnxModels.addBias(4, 4, 4, 4));
            rig.deploy("4.0.0");
            rig.awaitServed("4.0.0");
            assertTrue(rig.updaterAlive());
        }
    }
}
