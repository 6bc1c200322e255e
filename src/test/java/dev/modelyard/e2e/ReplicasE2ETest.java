package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Conversions;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Profiles;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.TestPostgres;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.Expectations;
import dev.modelyard.wire.trust.KeyFile;
import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.Signer;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.Verifier;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
        // Both look for signed metadata to renew every second; the lease lets one of them do it at a time.
        env.put("MODELYARD_SIGNING_RENEW_INTERVAL", "1s");
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

        ServerProcess.await("the orphan to be collected", () -> !Files.exists(orphan));
        // Two more passes end after the one that removed it, so a second removal would be logged by now.
        ServerProcess.await("two more collection passes", () -> gcRuns() >= runsBefore + 3);
        // Both replicas have the same data directory, so they append to one log file: count in it once.
        assertEquals(1, orphansRemoved(one.log()), "exactly one pass of one replica removed the orphan");
        String holder = gcHolder();
        assertTrue(holder != null && !holder.isBlank(), "the lease row names the replica that ran the last pass");
    }

    @Test
    void eachConversionJobRunsOnceAndEveryReplicaTakesJobs() throws Exception {
        ModelyardClient a = one.client(ADMIN);
        ModelyardClient b = two.client(ADMIN);
        String model = "replicated-conversions";
        List<String> versions = List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0");
        for (int i = 0; i < versions.size(); i++) {
            Fixtures.publishedOnnx(a, model, versions.get(i), "m.onnx", OnnxModels.mlp(4, 16, 1, 4, 40 + i, 0.5f));
        }
        // The chain's first step waits for a gate file: the first jobs stay running until each
        // replica's worker (one per replica) holds one, so both provably take jobs; then it opens.
        Path gate = work.resolve("conversion-gate");
        a.profiles().create(new Profiles.ProfileBody(GATED_PROFILE, "copies the model once the gate file exists", true,
                List.of(new Profiles.Step("command", null, null, List.of("/bin/sh", "-c",
                        "while [ ! -e \"$1\" ]; do sleep 0.2; done; cp \"$2\" \"$3\"", "sh", gate.toString(), "{input}", "{output}"),
                        600, "onnx")),
                new TargetDescriptor("onnx", null, null, "aarch64", null, null, null, null), null, null, null));
        try {
            List<Long> jobs = new ArrayList<>();
            for (int i = 0; i < versions.size(); i++) {
                // Requests alternate between the replicas; each wakes its own workers, the other's poll.
                Conversions.Requested r = (i % 2 == 0 ? a : b).conversions().request(model, versions.get(i),
                        Conversions.Request.profiles(GATED_PROFILE));
                assertEquals(1, r.created(), r.toString());
                jobs.add(r.jobs().get(0).id());
            }
            ServerProcess.await("a job running on each replica at once", () -> replicasRunning(jobs).size() == 2);
            Files.createFile(gate);
            ServerProcess.await("every job to end", () -> jobs.stream().map(a.conversions()::job).allMatch(j -> FINISHED.contains(j.status())));

            Map<Long, String> replicas = replicaIdsByPid();
            assertTrue(replicas.containsKey(one.pid()) && replicas.containsKey(two.pid()), "each replica logs its name: " + replicas);
            Set<String> both = Set.of(replicas.get(one.pid()), replicas.get(two.pid()));
            assertEquals(2, both.size(), "each process has a replica name of its own: " + replicas);
            Set<String> ranOn = new HashSet<>();
            for (int i = 0; i < jobs.size(); i++) {
                Conversions.Job job = a.conversions().job(jobs.get(i));
                assertEquals("succeeded", job.status(), job.toString());
                assertEquals(1, job.attempts(), "one attempt: no replica ran it again: " + job);
                List<String> starts = a.conversions().log(job.id(), null, 1000).stream().map(Conversions.LogLine::line)
                        .filter(l -> l.startsWith("attempt ")).toList();
                assertEquals(1, starts.size(), starts.toString());
                Matcher owner = STARTED_BY.matcher(starts.get(0));
                assertTrue(owner.find() && both.contains(owner.group(1)), "run by one of the two replicas: " + starts.get(0));
                ranOn.add(owner.group(1));
                List<Artifacts.Artifact> converted = a.artifacts().list(model, versions.get(i),
                        new Artifacts.Filter(null, null, null, null, null, "converted", null, null)).items();
                assertEquals(1, converted.size(), "exactly one result: " + converted);
                assertEquals(job.resultArtifactId(), converted.get(0).id());
            }
            assertEquals(both, ranOn, "both replicas' workers ran jobs");
        } finally {
            // Opened and removed whatever happened, so no worker stays blocked and no later
            // publication in this class is converted by it.
            if (!Files.exists(gate)) Files.createFile(gate);
            a.profiles().delete(GATED_PROFILE);
        }
    }

    @Test
    void eachDeltaBuildRunsOnceAcrossReplicas() throws Exception {
        ModelyardClient a = one.client(ADMIN);
        String model = "replicated-deltas";
        List<String> versions = List.of("1.0.0", "1.1.0", "1.2.0");
        // Above the delta builders' 64 KiB minimum: each publication plans the compressed full file
        // (no device has a base yet), and both replicas' builders poll for it.
        for (int i = 0; i < versions.size(); i++) {
            Fixtures.publishedOnnx(a, model, versions.get(i), "m.onnx", OnnxModels.mlp(128, 256, 1, 8, 60 + i, 0.5f));
        }
        ServerProcess.await("every planned delta build to end", () -> {
            List<Object[]> builds = deltaBuilds(model);
            return builds.size() >= versions.size() && builds.stream().noneMatch(d -> List.of("PENDING", "BUILDING").contains(d[0]));
        });
        for (Object[] build : deltaBuilds(model)) {
            assertTrue(List.of("READY", "USELESS").contains(build[0]), "built (kept, or dropped as no smaller): " + build[0]);
            assertEquals(1, ((Number) build[1]).intValue(), "one attempt: no replica built it again");
        }
    }

    @Test
    void signingRenewalSignsEachDueArtifactOnceAcrossReplicas() throws Exception {
        ModelyardClient a = one.client(ADMIN);
        ModelyardClient b = two.client(ADMIN);
        String model = "replicated-signing";
        Fixtures.model(a, model);
        a.versions().create(model, Versions.NewVersion.of("1.0.0"));
        List<UUID> artifacts = new ArrayList<>();
        Map<String, ArtifactMetadata> before = new HashMap<>();
        for (String arch : List.of("x86_64", "aarch64")) {
            byte[] onnx = OnnxModels.addBias(arch.length(), 1, 2, 3);
            artifacts.add(a.artifacts().put(model, "1.0.0", arch + ".onnx", new TargetDescriptor("onnx", null, null, arch,
                    null, null, null, null), () -> new ByteArrayInputStream(onnx), onnx.length, null, null).id());
        }
        a.versions().publish(model, "1.0.0");
        for (String arch : List.of("x86_64", "aarch64")) {
            before.put(arch, metadata(a.artifacts().signedMetadata(model, "1.0.0", arch + ".onnx")));
        }
        double renewedBefore = renewals(one) + renewals(two);

        // As if the metadata were signed 29 days ago: it now expires within the renewal window
        // (10 days by default), and both replicas look for such metadata every second.
        sql("UPDATE artifact_release SET expires_at = now() + interval '1 day' WHERE artifact_id = ANY (?)",
                artifacts.toArray(UUID[]::new));
        Instant renewedAfter = Instant.now().plus(Duration.ofDays(20));
        ServerProcess.await("the metadata to be signed again", () -> artifacts.stream().allMatch(id -> releaseExpiry(id).isAfter(renewedAfter)));
        long runs = leaseRuns("signing.renewal");
        // Passes are serial: two more ending means the one that renewed has ended and counted, and
        // a second signing by the other replica would have happened by now.
        ServerProcess.await("two more renewal passes", () -> leaseRuns("signing.renewal") >= runs + 3);
        assertEquals(2.0, renewals(one) + renewals(two) - renewedBefore,
                "the two due documents were signed again once, by one replica");

        PublicKey release = KeyFile.load(work.resolve("release-key.json"), null).getPublic();
        Verifier device = new Verifier(new TrustStore(rootTrusting(release)));
        for (String arch : List.of("x86_64", "aarch64")) {
            String served = b.artifacts().signedMetadata(model, "1.0.0", arch + ".onnx");
            ArtifactMetadata renewed = metadata(served);
            ArtifactMetadata old = before.get(arch);
            assertEquals(old.renewed(renewed.issuedAt(), renewed.expiresAt()), renewed,
                    "the same statement (release counter, file, target) with a new validity window");
            assertTrue(renewed.expiresAt().isAfter(renewedAfter), renewed.toString());
            device.verifyRelease(SignedEnvelope.parse(served), new Expectations("default", model,
                    new DeviceFacts(arch, List.of("cpu"), "onnxruntime", "1.20.0", 1024, "linux"), null, null,
                    Clock.systemUTC(), Duration.ofMinutes(5), Long.MAX_VALUE));
        }
    }

    private static final String GATED_PROFILE = "replicas-gated";
    private static final Set<String> FINISHED = Set.of("succeeded", "failed", "cancelled");
    private static final Pattern STARTED_BY = Pattern.compile("started by (\\S+)#");
    private static final Pattern REPLICA = Pattern.compile("replica (\\S+) is process (\\d+)");
    private static final Pattern RENEWALS = Pattern.compile(
            "(?m)^modelyard_signing_metadata_signed_total\\{[^}]*reason=\"renewal\"[^}]*} ([0-9.eE+-]+)$");

    /** The replicas (names before a lease owner's '#') running any of {@code jobs} now. */
    private static Set<String> replicasRunning(List<Long> jobs) {
        Set<String> replicas = new HashSet<>();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT lease_owner FROM conversion_job WHERE status = 'RUNNING' AND id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", jobs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) replicas.add(rs.getString(1).substring(0, rs.getString(1).indexOf('#')));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return replicas;
    }

    /** Status and attempts of the delta builds of {@code model}'s artifacts. */
    private static List<Object[]> deltaBuilds(String model) {
        List<Object[]> builds = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT d.status, d.attempts FROM artifact_delta d
                JOIN artifact a ON a.id = d.target_artifact_id
                JOIN model_version v ON v.id = a.version_id
                JOIN model m ON m.id = v.model_id
                WHERE m.name = ?""")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) builds.add(new Object[] {rs.getString(1), rs.getInt(2)});
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return builds;
    }

    /** Each replica's name by its process id, as it announced them at start (both write one log). */
    private static Map<Long, String> replicaIdsByPid() {
        Map<Long, String> ids = new HashMap<>();
        Matcher m = REPLICA.matcher(one.log());
        while (m.find()) ids.put(Long.parseLong(m.group(2)), m.group(1));
        return ids;
    }

    /** Artifact metadata documents this replica signed again by renewal, from its metrics. */
    private static double renewals(ServerProcess replica) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(replica.uri("/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            Matcher m = RENEWALS.matcher(r.body());
            assertTrue(m.find(), "the renewal counter is exported");
            return Double.parseDouble(m.group(1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ArtifactMetadata metadata(String envelope) {
        return ArtifactMetadata.fromMap(SignedEnvelope.parse(envelope).signed());
    }

    /** A root of trust, as a device holds it, whose release role is the servers' release key. */
    private static SignedEnvelope rootTrusting(PublicKey releaseKey) {
        KeyPair root = Ed25519.generate();
        return Signer.of(root).sign(RootMetadata.create(1, Instant.now().plus(Duration.ofDays(365)).truncatedTo(ChronoUnit.SECONDS),
                List.of(root.getPublic()), 1, List.of(releaseKey), 1));
    }

    private static Instant releaseExpiry(UUID artifact) {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT expires_at FROM artifact_release WHERE artifact_id = ?")) {
            ps.setObject(1, artifact);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long leaseRuns(String key) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT runs FROM lease WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sql(String statement, UUID[] ids) {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setArray(1, c.createArrayOf("uuid", ids));
            assertEquals(ids.length, ps.executeUpdate());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
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

    // ---- git sync across replicas ------------------------------------------------------------------

    @Test
    void aGitSourceSyncedByBothReplicasAppliesEachCommitOnce() throws Exception {
        try (SmartHttpGitHost host = SmartHttpGitHost.start(work.resolve("git-host"))) {
            String c1 = host.commit("fleet/groups.yaml", gitGroup("replicated-edge", "tag==edge"));
            String source = "replicated";
            Map<String, Object> body = Map.of("name", source, "url", host.url(), "branch", "main", "path", "fleet",
                    "interval", "10s", "role", "admin", "prune", true);
            assertEquals(201, gitApi(one, "POST", "/api/v1/git-sources", body).statusCode());
            ServerProcess.await("the first commit to be synced", () -> c1.equals(gitSourceField(two, source, "lastSyncedCommit")));

            // a new commit, and both replicas asked to sync it at once (besides their own schedules)
            String c2 = host.commit("fleet/groups.yaml", gitGroup("replicated-edge", "tag==edge-2") + "---\n"
                    + gitGroup("replicated-lab", "tag==lab"));
            assertEquals(202, gitApi(one, "POST", "/api/v1/git-sources/" + source + "/sync", null).statusCode());
            assertEquals(202, gitApi(two, "POST", "/api/v1/git-sources/" + source + "/sync", null).statusCode());
            ServerProcess.await("the second commit to be synced", () -> c2.equals(gitSourceField(one, source, "lastSyncedCommit")));
            long runs = gitLeaseRuns(source);
            // Both replicas keep looking every few seconds: two more passes end after the one that applied c2.
            ServerProcess.await("two more passes of the source", () -> gitLeaseRuns(source) >= runs + 2);

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
