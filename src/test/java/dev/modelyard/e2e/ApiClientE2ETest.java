package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Conversions;
import dev.modelyard.client.Deployments;
import dev.modelyard.client.Devices;
import dev.modelyard.client.GitSources;
import dev.modelyard.client.Models;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Profiles;
import dev.modelyard.client.Tokens;
import dev.modelyard.client.Trust;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.wire.IoSignature;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.Ed25519;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API client against the real server: every facade's records survive the round trip (what
 * is sent comes back in the typed answer), and refusals arrive as {@link ApiProblemException}
 * with the status and the stable code of the problem+json answer.
 */
class ApiClientE2ETest {

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_client", "192m", GitRepo.FILE_URLS);
    static ModelyardClient admin;

    @BeforeAll
    static void connect() {
        admin = server.admin();
    }

    @Test
    void modelsVersionsAndAliasesRoundTrip() {
        Models.Model created = admin.models().create(new Models.NewModel("kws", "keyword spotter", "audio-classification",
                "onnx", Map.of("team", "audio")));
        assertEquals("keyword spotter", created.description());
        assertEquals(Map.of("team", "audio"), created.labels());
        assertNotNull(created.createdBy());
        assertNotNull(created.createdAt());
        assertEquals(created.name(), admin.models().get("kws").name());
        assertEquals(1, admin.models().list(new Models.Filter("kws", null, null, "team:audio", null, null)).total());
        assertEquals("spots keywords", admin.models().update("kws", new Models.ModelPatch("spots keywords", null, null, null))
                .description());

        IoSignature io = new IoSignature(List.of(new IoSignature.TensorSpec("x", "float32", List.of("batch", 4))),
                List.of(new IoSignature.TensorSpec("y", "float32", List.of("batch", 4))));
        Versions.Version draft = admin.versions().create("kws", new Versions.NewVersion("1.0.0", "first", Map.of("accuracy", 0.93),
                null, io, null));
        assertEquals(Versions.DRAFT, draft.status());
        assertEquals(io, draft.ioSignature());
        assertEquals(Map.of("accuracy", 0.93), draft.metrics());

        byte[] onnx = OnnxModels.addBias(1, 1, 1, 1);
        Artifacts.Artifact artifact = admin.artifacts().put("kws", "1.0.0", "kws.onnx", Artifacts.target("onnx"),
                () -> new ByteArrayInputStream(onnx), onnx.length, sha256(onnx), null);
        assertEquals(onnx.length, artifact.size());
        assertEquals("onnxruntime", artifact.target().runtime(), "the server filled the defaults of the target");
        assertEquals(artifact.sha256(), admin.artifacts().get("kws", "1.0.0", "kws.onnx").sha256());
        assertEquals(List.of(artifact.id()), admin.artifacts().list("kws", "1.0.0", Artifacts.Filter.all()).items().stream()
                .map(Artifacts.Artifact::id).toList());
        assertEquals(Map.of("onnx", artifact.metadata().get("onnx")), admin.artifacts().get("kws", "1.0.0", "kws.onnx").metadata(),
                "free-form metadata reads back as it was answered");

        Versions.Version published = admin.versions().publish("kws", "1.0.0");
        assertEquals(Versions.PUBLISHED, published.status());
        assertNotNull(published.releaseCounter());
        assertNotNull(published.publishedAt());
        assertTrue(admin.artifacts().signedMetadata("kws", "1.0.0", "kws.onnx").contains(artifact.sha256()));

        ApiProblemException immutable = Fixtures.refused(() -> admin.artifacts().put("kws", "1.0.0", "other.onnx",
                Artifacts.target("onnx"), () -> new ByteArrayInputStream(onnx), onnx.length, null, null));
        assertEquals(409, immutable.status());
        assertTrue(immutable.code().startsWith("version-"), immutable.getMessage());

        Models.Alias prod = admin.models().setAlias("kws", "prod", "1.0.0");
        assertEquals("1.0.0", prod.version());
        assertEquals(List.of("prod"), admin.models().aliases("kws").stream().map(Models.Alias::name).toList());
        assertEquals(Map.of("prod", "1.0.0"), admin.models().get("kws").aliases());
        admin.models().deleteAlias("kws", "prod");
        assertEquals(List.of(), admin.models().aliases("kws"));

        assertEquals(Versions.DEPRECATED, admin.versions().update("kws", "1.0.0", Versions.VersionPatch.status(Versions.DEPRECATED))
                .status());
        assertEquals(1, admin.versions().list("kws", Versions.DEPRECATED, null, null).total());

        assertEquals("already-exists", Fixtures.refused(() -> admin.models().create(Models.NewModel.named("kws"))).code());
        ApiProblemException missing = Fixtures.refused(() -> admin.models().get("no-such-model"));
        assertEquals(404, missing.status());
        assertEquals("model-not-found", missing.code());
        assertNull(admin.models().find("no-such-model"));
    }

    @Test
    void uploadsAreStreamedCheckedResumedAndDownloadedIntact() throws Exception {
        Fixtures.model(admin, "blobs");
        admin.versions().create("blobs", Versions.NewVersion.of("1.0.0"));
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        Path file = Files.write(server.work().resolve("blob.bin"), content);

        Artifacts.Artifact resumed = admin.artifacts().putResumable("blobs", "1.0.0", "blob.bin", file,
                Artifacts.target("bin"), 1024 * 1024);
        assertEquals(Artifacts.sha256(file), resumed.sha256());
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        assertEquals(content.length, admin.artifacts().download("blobs", "1.0.0", "blob.bin", back));
        assertArrayEquals(content, back.toByteArray());

        // A transfer that does not match the digest the client sent is refused and nothing is kept.
        String wrong = sha256(new byte[]{1});
        ApiProblemException mismatch = Fixtures.refused(() -> admin.artifacts().put("blobs", "1.0.0", "other.bin",
                Artifacts.target("bin"), () -> new ByteArrayInputStream(content), content.length, wrong, null));
        assertEquals(422, mismatch.status());
        assertEquals("digest-mismatch", mismatch.code());
        assertEquals(1, admin.artifacts().list("blobs", "1.0.0", Artifacts.Filter.all()).total());

        Artifacts.Upload open = admin.artifacts().openUpload("blobs", "1.0.0", "partial.bin", Artifacts.target("bin"));
        assertEquals(0, admin.artifacts().uploadOffset(open));
        assertEquals(5, admin.artifacts().append(open, 0, () -> new ByteArrayInputStream(new byte[5]), 5));
        assertEquals(5, admin.artifacts().uploadOffset(open));
        assertEquals(409, Fixtures.refused(() -> admin.artifacts().append(open, 0, () -> new ByteArrayInputStream(new byte[5]), 5))
                .status(), "an append at a stale offset");
        admin.artifacts().cancelUpload(open);
        assertEquals("upload-not-found", Fixtures.refused(() -> admin.artifacts().uploadOffset(open)).code());

        admin.artifacts().delete("blobs", "1.0.0", "blob.bin");
        assertEquals("artifact-not-found", Fixtures.refused(() -> admin.artifacts().get("blobs", "1.0.0", "blob.bin")).code());
    }

    @Test
    void devicesAndDeploymentsRoundTrip() {
        Fixtures.publishedOnnx(admin, "detector", "1.0.0", "detector.onnx", OnnxModels.addBias(2, 2, 2, 2));
        Devices.Device created = admin.devices().create(new Devices.NewDevice("cam-7", "gate camera", "north gate",
                Set.of("gate"), Map.of("arch", "x86_64", "accelerators", "cpu", "runtime.onnxruntime", "1.23.2")));
        assertNotNull(created.token(), "the token is shown once");
        assertEquals(Set.of("gate"), created.tags());
        Devices.Device read = admin.devices().get("cam-7");
        assertNull(read.token(), "and never again");
        assertEquals("gate camera", read.name());
        assertEquals(1, admin.devices().list(new Devices.Filter(null, "gate", null, null, null)).total());
        assertEquals("east gate", admin.devices().update("cam-7", new Devices.DevicePatch(null, "east gate", null)).description());
        String rotated = admin.devices().rotateToken("cam-7").token();
        assertNotNull(rotated);
        assertNotEquals(created.token(), rotated);

        Deployments.Assignment assignment = Fixtures.assign(admin, "detector", "1.0.0", "cam-7");
        assertEquals(1, assignment.assigned(), assignment.toString());
        Deployments.Action action = assignment.actions().get(0);
        assertEquals("cam-7", action.device());
        assertTrue(action.active());
        assertEquals("detector.onnx", action.artifact().filename());
        assertEquals(action.artifact(), admin.deployments().action(action.id()).artifact());
        assertEquals(List.of(action.id()), admin.deployments().actions(Deployments.Filter.device("cam-7")).items().stream()
                .map(Deployments.Action::id).toList());
        assertFalse(admin.deployments().cancel(action.id(), true).active(), "a forced cancel closes the action");
        assertNotNull(admin.deployments().statuses(action.id()));
        assertEquals("action-not-found", Fixtures.refused(() -> admin.deployments().action(987_654_321L)).code());

        admin.devices().delete("cam-7");
        assertEquals("device-not-found", Fixtures.refused(() -> admin.devices().get("cam-7")).code());
    }

    @Test
    void tokensCarryTheirRole() {
        Tokens.Token issued = Fixtures.token(admin, "ci-viewer", "viewer");
        assertNotNull(issued.token());
        assertTrue(admin.tokens().list().stream().anyMatch(t -> t.id().equals(issued.id()) && t.token() == null));
        ModelyardClient viewer = server.process().client(issued.token());
        viewer.models().list(Models.Filter.all());
        ApiProblemException forbidden = Fixtures.refused(() -> viewer.models().create(Models.NewModel.named("not-mine")));
        assertEquals(403, forbidden.status());
        assertEquals("forbidden", forbidden.code());

        assertNotNull(admin.tokens().revoke(issued.id()).revokedAt());
        assertEquals("unauthorized", Fixtures.refused(() -> viewer.models().list(Models.Filter.all())).code());
    }

    @Test
    void keysTrustProfilesAndConversionsRoundTrip() {
        KeyPair publisher = Ed25519.generate();
        String publicKey = Base64.getEncoder().encodeToString(Ed25519.rawPublicKey(publisher.getPublic()));
        Trust.Key key = admin.trust().registerKey(new Trust.NewKey("release-bot", publicKey));
        assertEquals(Ed25519.keyId(publisher.getPublic()), key.keyId());
        assertTrue(admin.trust().keys().stream().anyMatch(k -> k.id().equals(key.id()) && k.keyId().equals(key.keyId())));
        assertNotNull(admin.trust().revokeKey(key.id()).revokedAt());

        assertNotNull(admin.trust().status().releaseKeyId(), "the server has a release key");
        assertEquals(List.of(), admin.trust().roots());
        assertEquals("root-not-found", Fixtures.refused(() -> admin.trust().latestRoot()).code());

        Profiles.ProfileBody body = new Profiles.ProfileBody("arm-int8", "int8 for small devices", false,
                List.of(new Profiles.Step(null, "int8-weights-qdq", Map.of("perChannel", false), null, null, null)),
                new TargetDescriptor("onnx", null, null, "aarch64", null, "int8", 64, null),
                new Profiles.Tolerance(0.05, 0.999), null, null);
        Profiles.Profile profile = admin.profiles().create(body);
        assertEquals("builtin", profile.steps().get(0).type(), "the server filled the step's defaults");
        assertEquals(profile.steps(), admin.profiles().get("arm-int8").steps());
        assertEquals(profile.target(), admin.profiles().get("arm-int8").target());
        assertTrue(admin.profiles().list().stream().anyMatch(p -> p.name().equals("arm-int8") && p.tolerance().equals(body.tolerance())));
        Profiles.Profile enabled = admin.profiles().replace("arm-int8", new Profiles.ProfileBody("arm-int8", body.description(),
                true, body.steps(), body.target(), body.tolerance(), null, null));
        assertTrue(enabled.enabled());

        admin.profiles().delete("arm-int8");
        assertEquals("profile-not-found", Fixtures.refused(() -> admin.profiles().get("arm-int8")).code());

        // Published with no enabled profile, so the one job is the one requested: an ad-hoc chain.
        Fixtures.publishedOnnx(admin, "convertible", "1.0.0", "model.onnx", OnnxModels.mlp(4, 32, 1, 4, 3, 0.5f));
        Conversions.Requested requested = admin.conversions().request("convertible", "1.0.0", new Conversions.Request(null,
                "arm-int8-adhoc", body.steps(), body.target(), body.tolerance(), null, null, null));
        assertEquals(1, requested.created(), requested.toString());
        Conversions.Job job = requested.jobs().get(0);
        assertEquals(body.target().arch(), job.target().arch());
        assertEquals(job.id(), admin.conversions().job(job.id()).id());
        assertEquals(1, admin.conversions().jobs(new Conversions.Filter("convertible", null, null, null, null, null)).total());
        assertNotNull(admin.conversions().log(job.id(), null, 10));
        assertEquals("job-not-found", Fixtures.refused(() -> admin.conversions().job(987_654_321L)).code());
    }

    @Test
    void aRefusedFieldOrParameterIsNamedInTheProblem() {
        ApiProblemException invalid = Fixtures.refused(() -> admin.models().create(Models.NewModel.named("Not A Valid Name!")));
        assertEquals(400, invalid.status());
        assertEquals("invalid-name", invalid.code());
        assertTrue(invalid.detail().contains("Not A Valid Name!"), invalid.detail());

        ApiProblemException missing = Fixtures.refused(() -> admin.models().setAlias("fields", "prod", null));
        assertEquals("missing-field", missing.code());
        assertEquals("version", missing.field());

        ApiProblemException parameter = Fixtures.refused(() -> admin.models().list(new Models.Filter(null, null, null, null, 0, 0)));
        assertEquals("invalid-parameter", parameter.code());
        assertEquals("size", parameter.parameter());
    }

    @Test
    void gitSourcesRoundTrip() throws Exception {
        try (GitRepo repo = GitRepo.create(server.work(), "client-fleet")) {
            String commit = repo.commit("a group", Map.of("groups.yaml", """
                    apiVersion: modelyard.dev/v1
                    kind: DeviceGroup
                    metadata: {name: client-lab}
                    spec: {filter: "tag==lab"}
                    """));
            GitSources.GitSource created = admin.gitSources().create(GitSources.GitSourceBody.of("client-fleet", repo.url(), GitRepo.BRANCH,
                    "operator").interval("1h").driftPolicy("revert").prune(true));
            assertEquals(repo.url(), created.url());
            assertEquals("1h", created.interval());
            assertEquals("revert", created.driftPolicy());
            assertEquals(Boolean.TRUE, created.prune());
            assertEquals("operator", created.role());
            assertNull(created.credentials());
            assertTrue(created.webhookPath().endsWith("/client-fleet"), created.webhookPath());

            // Its creation asks for a first sync; a requested one answers with the source as it was.
            assertEquals("client-fleet", admin.gitSources().sync("client-fleet").name());
            GitSources.GitSource synced = awaitSource("synced " + commit, s -> commit.equals(s.lastSyncedCommit()));
            assertEquals("synced", synced.status());
            assertEquals(1L, synced.managedObjects());
            assertFalse(synced.lastAttempt().failed());
            List<GitSources.ManagedObject> objects = admin.gitSources().objects("client-fleet", 0, 10).items();
            assertEquals(1, objects.size());
            assertEquals(new GitSources.ManagedObject("DeviceGroup", "client-lab", commit, objects.get(0).appliedAt()), objects.get(0));
            assertTrue(admin.gitSources().list(0, 10).items().stream().anyMatch(s -> s.name().equals("client-fleet")));

            // Secrets by reference: shown as references; one that does not resolve fails the pass and names it.
            GitSources.GitSource changed = admin.gitSources().update("client-fleet", synced.settings().driftPolicy("flag")
                    .credentials(new GitSources.Credentials("ci", "env:GITSYNC_CLIENT_FLEET_TOKEN")).webhookSecretRef("env:GITSYNC_CLIENT_FLEET_HOOK"));
            assertEquals("flag", changed.driftPolicy());
            assertEquals("1h", changed.interval(), "settings() keeps what is not changed");
            assertEquals(new GitSources.Credentials("ci", "env:GITSYNC_CLIENT_FLEET_TOKEN"), changed.credentials());
            assertEquals("env:GITSYNC_CLIENT_FLEET_HOOK", changed.webhookSecretRef());
            GitSources.GitSource failed = awaitSource("a failed pass", s -> s.lastAttempt() != null && s.lastAttempt().failed());
            assertTrue(failed.lastAttempt().message().contains("GITSYNC_CLIENT_FLEET_TOKEN"), failed.lastAttempt().toString());
            assertEquals(commit, failed.lastSyncedCommit(), "the last good commit stays");

            admin.gitSources().delete("client-fleet");
            assertEquals("git-source-not-found", Fixtures.refused(() -> admin.gitSources().get("client-fleet")).code());
            ApiProblemException ssh = Fixtures.refused(() -> admin.gitSources().create(
                    GitSources.GitSourceBody.of("ssh-fleet", "ssh://git@example.com/fleet.git", "main", "operator")));
            assertEquals(400, ssh.status());
            assertEquals("invalid-field", ssh.code());
            assertEquals("url", ssh.field());
        }
    }

    /** Reads the source until {@code done} holds. */
    private static GitSources.GitSource awaitSource(String what, java.util.function.Predicate<GitSources.GitSource> done) {
        return ServerProcess.await(what, () -> admin.gitSources().get("client-fleet"), done);
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
