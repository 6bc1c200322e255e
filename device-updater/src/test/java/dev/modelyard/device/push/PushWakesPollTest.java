package dev.modelyard.device.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.modelyard.device.SignedReleases;
import dev.modelyard.device.ddi.ActionJournal;
import dev.modelyard.device.ddi.DdiClient;
import dev.modelyard.device.ddi.HealthWatch;
import dev.modelyard.device.ddi.PollSchedule;
import dev.modelyard.device.ddi.Updater;
import dev.modelyard.device.download.Downloader;
import dev.modelyard.device.health.HealthPolicy;
import dev.modelyard.device.install.Installer;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.store.ModelStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The updater's poll loop and a real MQTT broker: a device told to poll every 10 minutes polls
 * again only because a hint arrived on its topic. The DDI server is a small real HTTP server that
 * counts polls; the tenant is unique per run, so parallel runs on the broker do not meet.
 */
class PushWakesPollTest {

    static final String BROKER = "tcp://127.0.0.1:1883";

    @TempDir
    Path dir;

    private final String tenant = "t" + UUID.randomUUID().toString().substring(0, 8);
    private final String controllerId = "cam-1";
    private final AtomicInteger polls = new AtomicInteger();
    /** When each poll arrived (System.nanoTime). */
    private final java.util.List<Long> pollTimes = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Whether the server answers polls with 500 (the updater backs off). */
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicBoolean stop = new AtomicBoolean();
    private HttpServer ddi;
    private ModelRuntime runtime;
    private Thread loop;
    private PushSubscriber push;

    @BeforeEach
    void start(org.junit.jupiter.api.TestInfo test) throws Exception {
        failing.set(test.getTestMethod().map(m -> m.getName().startsWith("aHintDuring")).orElse(false));
        ddi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ddi.createContext("/" + tenant + "/controller/v1/" + controllerId, exchange -> {
            byte[] body = new byte[0];
            if (exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().endsWith("/" + controllerId)) {
                pollTimes.add(System.nanoTime());
                polls.incrementAndGet();
                if (failing.get()) {
                    exchange.sendResponseHeaders(500, -1);
                    exchange.close();
                    return;
                }
                // hawkBit's interval format: ten minutes, far beyond any wait in this test.
                body = "{\"config\":{\"polling\":{\"sleep\":\"00:10:00\"}},\"_links\":{}}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/hal+json");
            }
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        ddi.start();

        runtime = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1);
        Installer installer = new Installer(new ModelStore(dir.resolve("models")), runtime, new SignedReleases().trust(),
                SignedReleases.DEVICE, tenant, Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30);
        ActionJournal journal = new ActionJournal(dir.resolve("actions.json"));
        HttpClient http = HttpClient.newHttpClient();
        Updater updater = new Updater(
                new DdiClient(URI.create("http://127.0.0.1:" + ddi.getAddress().getPort()), tenant, controllerId,
                        "TargetToken test", Duration.ofSeconds(30)),
                new Downloader(http, Duration.ofSeconds(30)), installer, journal,
                new HealthWatch(journal, installer, runtime, HealthPolicy.DEFAULT, Clock.systemUTC(), System::nanoTime),
                dir.resolve("downloads"), Map::of, new PollSchedule(Optional.empty(), Optional.empty()));
        loop = new Thread(() -> updater.run(stop), "poll-loop");
        loop.start();
        push = new PushSubscriber(new PushSettings(BROKER, controllerId, Optional.empty()), tenant, controllerId, updater::pollNow);
        push.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (push != null) push.close();
        stop.set(true);
        if (loop != null) loop.join(30_000);
        if (ddi != null) ddi.stop(0);
        if (runtime != null) runtime.close();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private void publishHint(long version) throws Exception {
        MqttClient server = new MqttClient(BROKER, "modelyard-test-" + UUID.randomUUID(), new MemoryPersistence());
        server.connect(new MqttConnectOptions());
        try {
            server.publish(PushSettings.topic(tenant, controllerId), ("{\"v\":" + version + "}").getBytes(StandardCharsets.UTF_8), 1, false);
        } finally {
            server.disconnect();
            server.close();
        }
    }

    @Test
    void aHintMakesTheUpdaterPollAtOnceDespiteATenMinuteInterval() throws Exception {
        await("the first poll", () -> polls.get() >= 1);
        await("the subscription", push::connected);
        // Each subscribe polls once (hints sent before it are lost): the loop's first poll and that one.
        await("the poll after subscribing", () -> polls.get() >= 2);
        assertEquals(2, polls.get(), "the server asks for 10 minutes between polls");

        publishHint(1);
        await("a poll after the first hint", () -> polls.get() >= 3);
        publishHint(2);
        await("a poll after the second hint", () -> polls.get() >= 4);
        assertTrue(loop.isAlive());
    }

    /**
     * A subscriber that comes up polls once, whatever the poll schedule: a hint published while
     * it was not subscribed would otherwise wait for the next scheduled poll.
     */
    @Test
    void subscribingPollsOnceSoHintsMissedWhileAwayAreCovered() throws Exception {
        AtomicInteger hints = new AtomicInteger();
        try (PushSubscriber other = new PushSubscriber(new PushSettings(BROKER, controllerId, Optional.empty()),
                tenant + "x", controllerId, hints::incrementAndGet)) {
            other.start();
            await("the subscription", other::connected);
            await("the call after subscribing", () -> hints.get() >= 1);
            assertEquals(1, hints.get());
        }
    }

    /**
     * While the updater backs off after a failed poll, hints do not shorten the pause: the second
     * poll comes no earlier than the shortest first back-off (2.5 s), however many hints arrive.
     */
    @Test
    void aHintDuringTheFailureBackOffDoesNotCutItShort() throws Exception {
        await("the first, failing poll", () -> polls.get() >= 1);
        await("the subscription", push::connected);
        for (int i = 0; i < 5 && polls.get() < 2; i++) publishHint(i);
        await("the retry after the back-off", () -> polls.get() >= 2);
        long gapMillis = (pollTimes.get(1) - pollTimes.get(0)) / 1_000_000;
        assertTrue(gapMillis >= 2_500, "the retry came " + gapMillis + " ms after the failed poll");
        assertTrue(loop.isAlive());
    }
}
