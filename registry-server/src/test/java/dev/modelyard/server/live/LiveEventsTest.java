package dev.modelyard.server.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.server.device.DeviceService;
import dev.modelyard.server.tenant.TenantContext;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The live event stream read as a client reads it: a real HTTP connection, line by line. Absence is
 * never proven by waiting: a later event that must arrive after the unwanted one is awaited, then the
 * unwanted one is checked not to be there (events are delivered in the order they arrive).
 */
@QuarkusTest
class LiveEventsTest {

    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    LiveEvents live;

    @Inject
    TenantContext tenants;

    @Inject
    AgroalDataSource db;

    @Inject
    DeviceService devices;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    java.util.Optional<String> user;

    @ConfigProperty(name = "quarkus.datasource.password")
    java.util.Optional<String> password;

    /** An open stream: a thread reads it into {@link #events} and {@link #lines}. */
    static final class Stream implements AutoCloseable {
        final int status;
        final HttpResponse<InputStream> response;
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        final List<String> lines = new CopyOnWriteArrayList<>();
        volatile boolean ended;

        Stream(HttpResponse<InputStream> response) {
            this.response = response;
            this.status = response.statusCode();
            Thread t = new Thread(this::read, "test-event-reader");
            t.setDaemon(true);
            t.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("data:")) events.add(JSON.readTree(line.substring(5).strip()));
                }
            } catch (IOException e) {
                // closed
            } finally {
                ended = true;
            }
        }

        JsonNode await(String what, Predicate<JsonNode> match) throws InterruptedException {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (System.nanoTime() < deadline) {
                for (JsonNode e : events) if (match.test(e)) return e;
                Thread.sleep(50);
            }
            throw new AssertionError("no event " + what + " within " + DEADLINE + "; got " + events + " lines " + lines);
        }

        /** The events that arrived before the first one matching {@code marker}. */
        List<JsonNode> before(Predicate<JsonNode> marker) {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode e : events) {
                if (marker.test(e)) return out;
                out.add(e);
            }
            return out;
        }

        void awaitOpen() throws InterruptedException {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (lines.stream().noneMatch(l -> l.startsWith(":"))) {
                if (System.nanoTime() > deadline) throw new AssertionError("the stream sent nothing: " + status);
                Thread.sleep(20);
            }
        }

        void awaitEnd() throws InterruptedException {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!ended) {
                if (System.nanoTime() > deadline) throw new AssertionError("the stream is still open; lines " + lines);
                Thread.sleep(50);
            }
        }

        @Override
        public void close() throws IOException {
            response.body().close();
        }
    }

    static HttpResponse<InputStream> request(String token, String query) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/api/v1/events" + query))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").GET().build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofInputStream());
    }

    static Stream open(String token) throws IOException, InterruptedException {
        return open(token, "");
    }

    static Stream open(String token, String query) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = request(token, query);
        assertEquals(200, response.statusCode(), () -> "stream refused: " + body(response));
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        Stream s = new Stream(response);
        s.awaitOpen();
        return s;
    }

    static String body(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    static String newToken(String role) {
        return Api.admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("live"), "role", role))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    static String createDevice(String token) {
        String id = Api.uniqueName("live-dev");
        Api.as(token).contentType(ContentType.JSON).body(Map.of("controllerId", id)).post("/api/v1/devices").then().statusCode(201);
        return id;
    }

    static Predicate<JsonNode> device(String id) {
        return e -> e.path("topic").asText().equals("device") && e.path("id").asText().equals(id);
    }

    @Test
    void aChangeArrivesAndAnotherTenantsDoesNot() throws Exception {
        String other = Api.uniqueName("live-tenant");
        String otherAdmin = Api.admin().contentType(ContentType.JSON).body(Map.of("id", other, "name", "Team " + other))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("adminToken.token");
        try (Stream s = open(newToken("viewer"))) {
            String theirs = createDevice(otherAdmin);
            String mine = createDevice(TestServer.ADMIN_TOKEN);
            s.await("for my device", device(mine));
            assertTrue(s.before(device(mine)).stream().noneMatch(device(theirs)), () -> "another tenant's event arrived: " + s.events);
            assertTrue(s.events.stream().noneMatch(device(theirs)));
        }
        // and the other tenant hears its own
        try (Stream s = open(otherAdmin)) {
            String theirs = createDevice(otherAdmin);
            s.await("for the other tenant's device", device(theirs));
        }
    }

    @Test
    void aNewActionArrivesWithItsDeviceModelVersionAndStatus() throws Exception {
        String model = Api.modelWithArtifact("live", "1.0.0", Api.onnxModel(3));
        Api.publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", model).then().statusCode(200);
        String device = createDevice(TestServer.ADMIN_TOKEN);
        try (Stream s = open(newToken("viewer"))) {
            int action = Api.admin().contentType(ContentType.JSON)
                    .body(Map.of("model", model, "version", "1.0.0", "device", device))
                    .post("/api/v1/deployments").then().statusCode(201).extract().path("actions[0].id");
            JsonNode e = s.await("for the new action", ev -> ev.path("topic").asText().equals("action") && ev.path("id").asInt() == action);
            assertEquals(device, e.path("device").asText());
            assertEquals(model, e.path("model").asText());
            assertEquals("1.0.0", e.path("version").asText());
            String status = Api.admin().get("/api/v1/actions/{id}", action).then().statusCode(200).extract().path("status");
            assertEquals(status, e.path("status").asText());
        }
    }

    @Test
    void aTopicTheTokenMayNotReadDoesNotArrive() throws Exception {
        String role = Api.uniqueName("live-models-only");
        Api.admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of("models:read")))
                .post("/api/v1/roles").then().statusCode(201);
        try (Stream s = open(newToken(role))) {
            String device = createDevice(TestServer.ADMIN_TOKEN);
            String model = Api.createModel("live-topic");
            Predicate<JsonNode> modelEvent = e -> e.path("topic").asText().equals("model") && e.path("id").asText().equals(model);
            s.await("for the model", modelEvent);
            assertTrue(s.events.stream().noneMatch(device(device)), () -> "a device event reached a models-only token: " + s.events);
            assertTrue(s.events.stream().allMatch(e -> Set.of("model", "version").contains(e.path("topic").asText())), s.events::toString);
        }
        // Asking for a topic by name narrows further; an unknown topic is refused naming the accepted ones.
        try (Stream s = open(TestServer.ADMIN_TOKEN, "?topics=model")) {
            String device = createDevice(TestServer.ADMIN_TOKEN);
            String model = Api.createModel("live-topic");
            s.await("for the model", e -> e.path("topic").asText().equals("model") && e.path("id").asText().equals(model));
            assertTrue(s.events.stream().noneMatch(device(device)));
        }
        HttpResponse<InputStream> bad = request(TestServer.ADMIN_TOKEN, "?topics=device,gossip");
        String problem = body(bad);
        assertEquals(400, bad.statusCode(), problem);
        assertTrue(problem.contains("gossip") && problem.contains("rollout"), problem);
    }

    @Test
    void aRolledBackChangeSendsNothing() throws Exception {
        String rolledBack = Api.uniqueName("never");
        try (Stream s = open(TestServer.ADMIN_TOKEN)) {
            try {
                QuarkusTransaction.requiringNew().run(() -> tenants.runAs("default", () -> {
                    live.device(rolledBack);
                    throw new IllegalStateException("the change fails");
                }));
            } catch (IllegalStateException expected) {
                // rolled back
            }
            String committed = Api.uniqueName("committed");
            QuarkusTransaction.requiringNew().run(() -> tenants.runAs("default", () -> live.device(committed)));
            s.await("for the committed change", device(committed));
            assertTrue(s.events.stream().noneMatch(device(rolledBack)), () -> "a rolled-back change was sent: " + s.events);
        }
    }

    @Test
    void revokingTheTokenEndsTheStream() throws Exception {
        var created = Api.admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("live-revoked"), "role", "viewer"))
                .post("/api/v1/tokens").then().statusCode(201).extract().jsonPath();
        try (Stream s = open(created.getString("token"))) {
            Api.admin().delete("/api/v1/tokens/{id}", created.getString("id")).then().statusCode(200);
            s.awaitEnd();
        }
    }

    @Test
    void tooManyStreamsForOneTokenAreRefusedWith429() throws Exception {
        String token = newToken("viewer");
        List<Stream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) open.add(open(token));
            HttpResponse<InputStream> refused = request(token, "");
            String problem = body(refused);
            assertEquals(429, refused.statusCode(), problem);
            assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), problem);
            assertTrue(problem.contains("rate-limited"), problem);
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            // another token is not limited by this one's streams
            try (Stream other = open(newToken("viewer"))) {
                assertEquals(200, other.status);
            }
        } finally {
            for (Stream s : open) s.close();
        }
        // once closed, the token may open again (the server notices the closed connections)
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            HttpResponse<InputStream> again = request(token, "");
            if (again.statusCode() == 200) {
                again.body().close();
                break;
            }
            body(again);
            assertFalse(System.nanoTime() > deadline, "closed streams still count");
            Thread.sleep(200);
        }
    }

    @Test
    void withoutAcceptingAnEventStreamTheAnswerIs406() {
        Api.admin().get("/api/v1/events").then().statusCode(406).contentType("application/problem+json");
    }

    static String newTenant() {
        String id = Api.uniqueName("live-tenant");
        return Api.admin().contentType(ContentType.JSON).body(Map.of("id", id, "name", "Team " + id))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("adminToken.token");
    }

    static String newToken(String admin, String role) {
        return Api.as(admin).contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("live"), "role", role))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    /** The tests' profile lets a tenant hold 10 streams: the 11th is refused, whichever token asks; another tenant is not. */
    @Test
    void oneTenantCannotTakeEveryStream() throws Exception {
        String admin = newTenant();
        List<Stream> open = new ArrayList<>();
        try {
            String first = newToken(admin, "viewer");
            String second = newToken(admin, "viewer");
            for (int i = 0; i < 5; i++) open.add(open(first));
            for (int i = 0; i < 5; i++) open.add(open(second));
            HttpResponse<InputStream> refused = request(newToken(admin, "viewer"), "");
            String problem = body(refused);
            assertEquals(429, refused.statusCode(), problem);
            assertTrue(problem.contains("rate-limited") && problem.contains("tenant"), problem);
            assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            try (Stream other = open(newTenant())) {
                assertEquals(200, other.status);
            }
        } finally {
            for (Stream s : open) s.close();
        }
    }

    @Test
    void aTokenThatMayReadNoTopicAskedForIsRefusedWith403() throws Exception {
        String role = Api.uniqueName("live-models-only");
        Api.admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of("models:read")))
                .post("/api/v1/roles").then().statusCode(201);
        HttpResponse<InputStream> refused = request(newToken(role), "?topics=device,action");
        String problem = body(refused);
        assertEquals(403, refused.statusCode(), problem);
        assertTrue(problem.contains("forbidden") && problem.contains("device"), problem);
        // A token scoped to models hears only model topics: asking for devices alone is refused too.
        String scoped = Api.admin().contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("live-scoped"), "role", "viewer", "scope", "vision-*"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        HttpResponse<InputStream> scopedRefused = request(scoped, "?topics=device");
        String scopedProblem = body(scopedRefused);
        assertEquals(403, scopedRefused.statusCode(), scopedProblem);
        try (Stream s = open(scoped, "?topics=device,model")) {
            assertEquals(200, s.status);
        }
    }

    /**
     * A custom role that loses devices:read stops hearing device events on its open stream (the hub's
     * check recomputes the topics); one left with no readable topic has its stream ended.
     */
    @Test
    void aRoleThatLosesAPermissionStopsHearingItsTopicsAndEndsWithNone() throws Exception {
        String role = Api.uniqueName("live-shrinking");
        Api.admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of("devices:read", "models:read")))
                .post("/api/v1/roles").then().statusCode(201);
        try (Stream s = open(newToken(role))) {
            String before = createDevice(TestServer.ADMIN_TOKEN);
            s.await("for a device while the role reads devices", device(before));
            Api.admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of("models:read")))
                    .put("/api/v1/roles/{name}", role).then().statusCode(200);
            // Each round: a device, then a model; the model's event arrives after the device's would have.
            // Once the check has run, a round brings the model without the device.
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            boolean stopped = false;
            while (!stopped) {
                assertTrue(System.nanoTime() < deadline, () -> "device events still arrive: " + s.events);
                String dev = createDevice(TestServer.ADMIN_TOKEN);
                String model = Api.createModel("live-role");
                Predicate<JsonNode> modelEvent = e -> e.path("topic").asText().equals("model") && e.path("id").asText().equals(model);
                s.await("for the model", modelEvent);
                stopped = s.events.stream().noneMatch(device(dev));
            }
            assertFalse(s.ended);
            Api.admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of("audit:read")))
                    .put("/api/v1/roles/{name}", role).then().statusCode(200);
            s.awaitEnd();
        }
    }

    /** Within a transaction a job's status and a later log-line event for it arrive as one event that keeps both. */
    @Test
    void coalescedEventsKeepEveryField() throws Exception {
        String model = Api.createModel("live-merge");
        long job = System.nanoTime();
        try (Stream s = open(TestServer.ADMIN_TOKEN)) {
            QuarkusTransaction.requiringNew().run(() -> tenants.runAs("default", () -> {
                live.job(job, "succeeded", model, "1.0.0");
                live.job(job, null, model, "1.0.0"); // a log line
            }));
            JsonNode e = s.await("for the job", ev -> ev.path("topic").asText().equals("job") && ev.path("id").asText().equals(String.valueOf(job)));
            assertEquals("succeeded", e.path("status").asText(), e::toString);
            assertEquals(model, e.path("model").asText(), e::toString);
            assertEquals("1.0.0", e.path("version").asText(), e::toString);
        }
    }

    /**
     * A notification PostgreSQL refuses (a payload over its 8000 bytes even cut to topic and id) does not
     * abort the transaction: the change it is about commits.
     */
    @Test
    void aNotificationThatFailsDoesNotUndoTheChange() {
        String controllerId = Api.uniqueName("live-kept");
        String huge = "x".repeat(9_000);
        QuarkusTransaction.requiringNew().run(() -> tenants.runAs("default", () -> {
            devices.registerIfAbsent(controllerId);
            live.device(huge);
        }));
        Api.admin().get("/api/v1/devices/{id}", controllerId).then().statusCode(200);
    }

    /**
     * Two replicas: what this one publishes reaches a LISTEN on another connection (as another replica's
     * feed), and what another replica publishes (pg_notify on its own connection) reaches this one's streams.
     */
    @Test
    void eventsCrossReplicasThroughTheDatabase() throws Exception {
        java.util.Properties props = new java.util.Properties();
        user.ifPresent(u -> props.setProperty("user", u));
        password.ifPresent(p -> props.setProperty("password", p));
        try (Connection other = DriverManager.getConnection(url, props); Stream s = open(TestServer.ADMIN_TOKEN)) {
            try (Statement st = other.createStatement()) {
                st.execute("LISTEN " + LiveEvents.CHANNEL);
            }
            String mine = createDevice(TestServer.ADMIN_TOKEN);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            boolean heard = false;
            while (!heard && System.nanoTime() < deadline) {
                PGNotification[] batch = other.unwrap(PGConnection.class).getNotifications(500);
                if (batch == null) continue;
                for (PGNotification n : batch) {
                    if (n.getParameter().startsWith("ping:")) continue;
                    JsonNode m = JSON.readTree(n.getParameter());
                    heard |= m.path("tenant").asText().equals("default") && device(mine).test(m.path("event"));
                }
            }
            assertTrue(heard, "the other replica did not hear the change");

            String theirs = Api.uniqueName("from-another-replica");
            try (PreparedStatement ps = other.prepareStatement("SELECT pg_notify(?, ?)")) {
                ps.setString(1, LiveEvents.CHANNEL);
                ps.setString(2, JSON.writeValueAsString(Map.of("tenant", "default", "event", Map.of("topic", "device", "id", theirs))));
                ps.execute();
            }
            s.await("published by another replica", device(theirs));
        }
    }
}
