package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.TestPostgres;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.KeyFile;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server processes on one database and one shared data directory (the filesystem store, as
 * on a ReadWriteMany volume), as two replicas behind a load balancer without sticky routing.
 */
class ReplicasE2ETest {

    static final String ADMIN = FreshServer.ADMIN;
    static final long SIZE = 12L * 1024 * 1024;

    @TempDir
    static Path work;
    static TestPostgres db;
    static ServerProcess one;
    static ServerProcess two;

    @BeforeAll
    static void start() throws Exception {
        KeyFile.save(work.resolve("release-key.json"), Ed25519.generate(), null);
        db = TestPostgres.create("e2e_replicas");
        Map<String, String> env = new HashMap<>();
        env.put("MODELYARD_ADMIN_TOKEN", ADMIN);
        env.put("MODELYARD_SIGNING_RELEASE_KEY_FILE", work.resolve("release-key.json").toString());
        // Both replicas try to collect every second; the lease lets one of them do it at a time.
        env.put("MODELYARD_STORAGE_GC_INTERVAL", "1s");
        env.put("MODELYARD_STORAGE_GC_GRACE", "PT10M");
        one = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "256m", env);
        two = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "256m", env);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (one != null) one.close();
            if (two != null) two.close();
        } finally {
            if (db != null) db.close();
        }
    }

    @Test
    void aResumableUploadStartedOnOneReplicaIsFinishedOnTheOther() throws Exception {
        ModelyardClient a = one.client(ADMIN);
        ModelyardClient b = two.client(ADMIN);
        Fixtures.model(a, "replicated");
        a.versions().create("replicated", Versions.NewVersion.of("1.0.0"));
        Artifacts.Upload upload = a.artifacts().openUpload("replicated", "1.0.0", "m.bin",
                new TargetDescriptor("bin", null, null, "x86_64", null, null, null, null));
        long half = SIZE / 2;
        assertEquals(half, a.artifacts().append(upload, 0, () -> slice(0, half), half));

        // The other replica knows where the session stands and takes the rest.
        assertEquals(half, b.artifacts().uploadOffset(upload));
        assertEquals(SIZE, b.artifacts().append(upload, half, () -> slice(half, SIZE - half), SIZE - half));
        String sha = PatternStream.sha256Hex(SIZE, 21);
        assertEquals(sha, b.artifacts().finishUpload(upload, sha, null).sha256());

        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            a.artifacts().download("replicated", "1.0.0", "m.bin", out);
        }
        assertEquals(sha, HexFormat.of().formatHex(digest.digest()));
    }

    @Test
    void garbageCollectionRemovesAnOrphanOnceAcrossReplicas() throws Exception {
        // Bytes in the store that no ledger row knows (a crash between storing and recording).
        byte[] bytes = "an orphan no replica recorded".getBytes();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Path orphan = work.resolve("data/blobs/sha256").resolve(sha.substring(0, 2)).resolve(sha);
        Files.createDirectories(orphan.getParent());
        Files.write(orphan, bytes);
        Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));
        long runsBefore = gcRuns();

        await(() -> !Files.exists(orphan), "the orphan to be collected");
        // Two more passes end after the one that removed it, so a second removal would be logged by now.
        await(() -> gcRuns() >= runsBefore + 3, "two more collection passes");
        // Both replicas have the same data directory, so they append to one log file: count in it once.
        assertEquals(1, orphansRemoved(one.log()), "exactly one pass of one replica removed the orphan");
        String holder = gcHolder();
        assertTrue(holder != null && !holder.isBlank(), "the lease row names the replica that ran the last pass");
    }

    private static InputStream slice(long from, long length) {
        try {
            InputStream in = new PatternStream(SIZE, 21);
            in.skipNBytes(from);
            return new java.io.FilterInputStream(in) {
                long left = length;

                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    if (left == 0) return -1;
                    int n = super.read(b, off, (int) Math.min(len, left));
                    if (n > 0) left -= n;
                    return n;
                }

                @Override
                public int read() throws java.io.IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }
            };
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final Pattern REMOVED = Pattern.compile("garbage collection removed \\d+ unreferenced blobs, (\\d+) orphan objects");

    private static int orphansRemoved(String log) {
        int total = 0;
        Matcher m = REMOVED.matcher(log);
        while (m.find()) total += Integer.parseInt(m.group(1));
        return total;
    }

    private static long gcRuns() {
        Object runs = leaseColumn("runs");
        return runs == null ? 0 : ((Number) runs).longValue();
    }

    private static String gcHolder() {
        return (String) leaseColumn("holder");
    }

    private static Object leaseColumn(String column) {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM lease WHERE key = 'storage.gc'");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getObject(1) : null;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plus(ServerProcess.WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("timed out waiting for " + what);
            ServerProcess.pause(100);
        }
    }

    // ---- git sync across replicas ------------------------------------------------------------------

    @Test
    void aGitSourceSyncedByBothReplicasAppliesEachCommitOnce() throws Exception {
        try (SmartHttpGitHost host = SmartHttpGitHost.start(work.resolve("git-host"))) {
            String c1 = host.commit("fleet/groups.yaml", gitGroup("replicated-edge", "tag==edge"));
            String source = "replicated";
            Map<String, Object> body = Map.of("name", source, "url", host.url(), "branch", "main", "path", "fleet",
                    "interval", "10s", "role", "admin", "prune", true);
            assertEquals(201, gitApi(one, "POST", "/api/v1/git-sources", body).statusCode());
            await(() -> c1.equals(gitSourceField(two, source, "lastSyncedCommit")), "the first commit to be synced");

            // a new commit, and both replicas asked to sync it at once (besides their own schedules)
            String c2 = host.commit("fleet/groups.yaml", gitGroup("replicated-edge", "tag==edge-2") + "---\n"
                    + gitGroup("replicated-lab", "tag==lab"));
            assertEquals(202, gitApi(one, "POST", "/api/v1/git-sources/" + source + "/sync", null).statusCode());
            assertEquals(202, gitApi(two, "POST", "/api/v1/git-sources/" + source + "/sync", null).statusCode());
            await(() -> c2.equals(gitSourceField(one, source, "lastSyncedCommit")), "the second commit to be synced");
            long runs = gitLeaseRuns(source);
            // Both replicas keep looking every few seconds: two more passes end after the one that applied c2.
            await(() -> gitLeaseRuns(source) >= runs + 2, "two more passes of the source");

            // each commit's changes were made once: one audit entry each, by the sync, with the commit's SHA
            for (String commit : new String[] {c1, c2}) {
                com.fasterxml.jackson.databind.JsonNode entries = GIT_JSON.readTree(gitApi(one, "GET", "/api/v1/audit?requestId=" + commit, null).body());
                assertEquals(1, entries.path("total").asInt(), "audit entries of commit " + commit + ": " + entries);
                assertEquals("git-sync:" + source, entries.path("items").path(0).path("actorName").asText());
            }
            com.fasterxml.jackson.databind.JsonNode edge = GIT_JSON.readTree(gitApi(two, "GET", "/api/v1/device-groups/replicated-edge", null).body());
            assertEquals("tag==edge-2", edge.path("filter").asText());
            assertEquals(200, gitApi(one, "GET", "/api/v1/device-groups/replicated-lab", null).statusCode());
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper GIT_JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static String gitGroup(String name, String filter) {
        return "apiVersion: modelyard.dev/v1\nkind: DeviceGroup\nmetadata:\n  name: " + name + "\nspec:\n  filter: \"" + filter + "\"\n";
    }

    private static java.net.http.HttpResponse<String> gitApi(ServerProcess server, String method, String path, Object body) {
        try {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(server.uri(path))
                    .header("Authorization", "Bearer " + ADMIN).timeout(java.time.Duration.ofSeconds(60));
            if (body == null) {
                request.method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(GIT_JSON.writeValueAsString(body)));
            }
            return java.net.http.HttpClient.newHttpClient().send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String gitSourceField(ServerProcess server, String source, String field) {
        try {
            java.net.http.HttpResponse<String> r = gitApi(server, "GET", "/api/v1/git-sources/" + source, null);
            return r.statusCode() == 200 ? GIT_JSON.readTree(r.body()).path(field).asText(null) : null;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long gitLeaseRuns(String source) {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT runs FROM lease WHERE key = ?")) {
            ps.setString(1, "gitsync:default/" + source);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
