package dev.modelyard.server.gitsync;

import static dev.modelyard.server.desiredstate.ManifestTexts.group;
import static dev.modelyard.server.desiredstate.ManifestTexts.profile;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The git sync against real repositories: bare repositories on disk made with JGit, fetched by their
 * {@code file://} URL. Passes are started through the API ({@code POST …/sync}, the webhook, a
 * create or update) and awaited by their outcome in the source's status, never by time.
 */
@QuarkusTest
class GitSyncTest {

    private static final Duration DEADLINE = Duration.ofSeconds(120);

    private static Map<String, Object> source(String name, String url, String role) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("url", url);
        body.put("branch", "main");
        body.put("path", "fleet");
        body.put("interval", "1h");
        body.put("role", role);
        return body;
    }

    private static JsonPath create(RequestSpecification as, Map<String, Object> body) {
        return as.contentType(ContentType.JSON).body(body).post("/api/v1/git-sources").then().statusCode(201)
                .header("Location", endsWith("/api/v1/git-sources/" + body.get("name"))).extract().jsonPath();
    }

    private static JsonPath get(String name) {
        return Api.viewer().get("/api/v1/git-sources/{n}", name).then().statusCode(200).extract().jsonPath();
    }

    /** Waits until the source's last attempt saw {@code commit} and ended with {@code outcome}. */
    private static JsonPath awaitAttempt(String name, String commit, String outcome) throws InterruptedException {
        JsonPath[] last = new JsonPath[1];
        try {
            Api.await(name + " to end a pass at " + commit + " with " + outcome, DEADLINE, () -> {
                last[0] = get(name);
                return Objects.equals(commit, last[0].getString("lastAttempt.commit"))
                        && outcome.equals(last[0].getString("lastAttempt.outcome"));
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + (last[0] == null ? null : last[0].prettify()), e);
        }
        return last[0];
    }

    private static void syncNow(String name) {
        Api.admin().post("/api/v1/git-sources/{n}/sync", name).then().statusCode(202).body("name", equalTo(name));
    }

    private static JsonPath groupOf(String name) {
        return Api.viewer().get("/api/v1/device-groups/{g}", name).then().statusCode(200).extract().jsonPath();
    }

    private static List<Map<String, Object>> auditOf(String commit) {
        return Api.admin().queryParam("requestId", commit).get("/api/v1/audit").then().statusCode(200).extract().jsonPath().getList("items");
    }

    @Test
    void createChangeRevertAndPruneFollowTheBranchWithEachObjectsCommit() throws Exception {
        String name = Api.uniqueName("fleet");
        String a = Api.uniqueName("git-group-a");
        String b = Api.uniqueName("git-group-b");
        String p = Api.uniqueName("git-profile");
        try (GitFixture repo = GitFixture.create()) {
            String c1 = repo.commit("first", "fleet/groups.yaml", group(a, "tag==" + a), "fleet/profiles.yml", profile(p, "x86_64"),
                    "README.md", "not a manifest", "fleet/notes.txt", "not a manifest either", "other/groups.yaml", group(b, "tag==x"));
            Map<String, Object> body = source(name, repo.url(), "admin");
            body.put("prune", true);
            JsonPath created = create(Api.admin(), body);
            assertEquals("pending", created.getString("status"));
            assertEquals("flag", created.getString("driftPolicy"));
            assertTrue(created.getString("webhookPath").endsWith("/" + name), created.prettify());

            JsonPath synced = awaitAttempt(name, c1, "applied");
            assertEquals("synced", synced.getString("status"));
            assertEquals(c1, synced.getString("lastSyncedCommit"));
            assertEquals(2, synced.getInt("managedObjects"));
            assertEquals("tag==" + a, groupOf(a).getString("filter"));
            Api.viewer().get("/api/v1/device-groups/{g}", b).then().statusCode(404);
            Api.viewer().get("/api/v1/conversion/profiles/{p}", p).then().statusCode(200);
            JsonPath objects = Api.viewer().get("/api/v1/git-sources/{n}/objects", name).then().statusCode(200).extract().jsonPath();
            assertEquals(List.of("DeviceGroup", "TargetProfile"), objects.getList("items.kind"));
            assertEquals(List.of(c1, c1), objects.getList("items.revision"));
            // each commit's changes are one audit entry of the sync, with the commit's SHA and the source
            List<Map<String, Object>> entries = auditOf(c1);
            assertEquals(1, entries.size(), entries::toString);
            assertEquals("git-sync:" + name, entries.get(0).get("actorName"));
            assertEquals("git-sync apply", entries.get(0).get("action"));
            assertEquals(200, entries.get(0).get("outcome"));
            assertTrue(entries.get(0).get("after").toString().contains("git:" + name), entries::toString);
            assertTrue(entries.get(0).get("after").toString().contains("DeviceGroup"), entries::toString);

            // a change: one group's filter, a second group
            String c2 = repo.commit("change", "fleet/groups.yaml", group(a, "tag==" + a + "-2") + "---\n" + group(b, "tag==" + b));
            syncNow(name);
            awaitAttempt(name, c2, "applied");
            assertEquals("tag==" + a + "-2", groupOf(a).getString("filter"));
            assertEquals("tag==" + b, groupOf(b).getString("filter"));
            objects = Api.viewer().get("/api/v1/git-sources/{n}/objects", name).then().statusCode(200).extract().jsonPath();
            assertEquals(3, objects.getList("items").size());
            assertTrue(objects.getList("items.revision").contains(c2), objects.prettify());

            // a git revert of that change: the filter comes back, and prune deletes the group it had added
            String c3 = repo.revert(c2);
            syncNow(name);
            JsonPath reverted = awaitAttempt(name, c3, "applied");
            assertEquals(c3, reverted.getString("lastSyncedCommit"));
            assertEquals("tag==" + a, groupOf(a).getString("filter"));
            Api.viewer().get("/api/v1/device-groups/{g}", b).then().statusCode(404);
            assertEquals(2, reverted.getInt("managedObjects"));

            // the branch has not moved: a pass changes nothing and writes no audit entry
            syncNow(name);
            Api.await("a pass that finds nothing to do", DEADLINE, () -> "unchanged".equals(get(name).getString("lastAttempt.outcome")));
            assertEquals(1, auditOf(c3).size());

            // a deleted source lets go of its objects: they stay, managed by no one
            Api.admin().delete("/api/v1/git-sources/{n}", name).then().statusCode(204);
            Api.viewer().get("/api/v1/git-sources/{n}", name).then().statusCode(404).body("code", equalTo("git-source-not-found"));
            groupOf(a);
        }
    }

    @Test
    void aBrokenCommitChangesNothingAndNamesFileAndLineUntilAGoodOneFollows() throws Exception {
        String name = Api.uniqueName("broken");
        String g = Api.uniqueName("git-group-keep");
        String added = Api.uniqueName("git-group-new");
        try (GitFixture repo = GitFixture.create()) {
            String c1 = repo.commit("good", "fleet/groups.yaml", group(g, "tag==" + g));
            create(Api.admin(), source(name, repo.url(), "admin"));
            awaitAttempt(name, c1, "applied");

            // one file changes a group and adds one; the other has a filter that does not compile: none of it applies
            String c2 = repo.commit("broken", "fleet/groups.yaml", group(g, "tag==" + g + "-changed") + "---\n" + group(added, "tag==n"),
                    "fleet/rollouts.yaml", group(Api.uniqueName("bad"), "tag==a;atribute.arch==x"));
            syncNow(name);
            JsonPath failed = awaitAttempt(name, c2, "failed");
            assertEquals("failed", failed.getString("status"));
            assertEquals(c1, failed.getString("lastSyncedCommit"));
            assertEquals("fleet/rollouts.yaml", failed.getString("lastAttempt.errors[0].file"));
            assertEquals(6, failed.getInt("lastAttempt.errors[0].line"));
            assertEquals(19, failed.getInt("lastAttempt.errors[0].column"));
            assertTrue(failed.getString("lastAttempt.errors[0].message").contains("attribute.arch"), failed.prettify());
            assertTrue(failed.getString("lastAttempt.message").contains("fleet/rollouts.yaml:6:19"), failed.prettify());
            assertEquals("tag==" + g, groupOf(g).getString("filter"));
            Api.viewer().get("/api/v1/device-groups/{g}", added).then().statusCode(404);
            // the refusal is in the audit trail with the commit, and changed nothing
            List<Map<String, Object>> entries = auditOf(c2);
            assertEquals(1, entries.size(), entries::toString);
            assertEquals(422, entries.get(0).get("outcome"));
            assertNull(entries.get(0).get("before"), entries::toString);

            // the next good commit syncs as usual
            String c3 = repo.commit("fixed", "fleet/rollouts.yaml", null);
            syncNow(name);
            JsonPath fixed = awaitAttempt(name, c3, "applied");
            assertEquals("synced", fixed.getString("status"));
            assertEquals(c3, fixed.getString("lastSyncedCommit"));
            assertEquals("tag==" + g + "-changed", groupOf(g).getString("filter"));
            groupOf(added);
        }
    }

    @Test
    void driftIsFlaggedOrRevertedByPolicy() throws Exception {
        String name = Api.uniqueName("drift");
        String g = Api.uniqueName("git-group-drift");
        try (GitFixture repo = GitFixture.create()) {
            String c1 = repo.commit("group", "fleet/groups.yaml", group(g, "tag==" + g));
            create(Api.admin(), source(name, repo.url(), "admin"));
            awaitAttempt(name, c1, "applied");

            // someone edits the git-managed group through the API
            Api.admin().contentType(ContentType.JSON).body(Map.of("filter", "tag==by-hand")).put("/api/v1/device-groups/{g}", g)
                    .then().statusCode(200);
            syncNow(name);
            JsonPath flagged = awaitAttempt(name, c1, "drift-flagged");
            assertEquals("synced", flagged.getString("status"));
            assertEquals(g, flagged.getString("drift[0].name"));
            assertEquals("DeviceGroup", flagged.getString("drift[0].kind"));
            assertEquals("update", flagged.getString("drift[0].action"));
            assertEquals("spec.filter", flagged.getString("drift[0].differences[0].path"));
            assertEquals("tag==by-hand", flagged.getString("drift[0].differences[0].from"));
            assertEquals("tag==" + g, flagged.getString("drift[0].differences[0].to"));
            assertEquals("tag==by-hand", groupOf(g).getString("filter"), "flag leaves the change");

            // with policy revert (the update starts a pass) the repository's state comes back, audited as a revert
            Map<String, Object> body = source(name, repo.url(), "admin");
            body.remove("name");
            body.put("driftPolicy", "revert");
            Api.admin().contentType(ContentType.JSON).body(body).put("/api/v1/git-sources/{n}", name).then().statusCode(200)
                    .body("driftPolicy", equalTo("revert"));
            JsonPath reverted = awaitAttempt(name, c1, "drift-reverted");
            assertEquals(List.of(), reverted.getList("drift"));
            assertTrue(reverted.getString("lastAttempt.message").contains(g), reverted.prettify());
            assertEquals("tag==" + g, groupOf(g).getString("filter"));
            List<Map<String, Object>> entries = auditOf(c1);
            assertEquals(List.of("git-sync apply", "git-sync revert-drift"), entries.stream().map(e -> e.get("action")).toList());
            assertTrue(entries.get(1).get("after").toString().contains("tag==" + g), entries::toString);

            // deleted through the API: the next pass creates it again
            Api.admin().delete("/api/v1/device-groups/{g}", g).then().statusCode(204);
            syncNow(name);
            Api.await("the deleted group to come back", DEADLINE, () -> Api.viewer().get("/api/v1/device-groups/{g}", g).statusCode() == 200);
        }
    }

    @Test
    void theCliCannotChangeOrTakeOverAnObjectAGitSourceManages() throws Exception {
        String name = Api.uniqueName("owner");
        String g = Api.uniqueName("git-group-owned");
        try (GitFixture repo = GitFixture.create()) {
            String c1 = repo.commit("group", "fleet/groups.yaml", group(g, "tag==" + g));
            create(Api.admin(), source(name, repo.url(), "admin"));
            awaitAttempt(name, c1, "applied");

            Map<String, Object> changed = Map.of("documents", List.of(Map.of("file", "g.yaml", "content", group(g, "tag==cli"))));
            JsonPath plan = Api.admin().contentType(ContentType.JSON).body(changed).post("/api/v1/manifests/plan").then().statusCode(200)
                    .extract().jsonPath();
            assertEquals("conflict", plan.getString("changes[0].action"));
            assertTrue(plan.getString("changes[0].note").contains("git source '" + name + "'"), plan.prettify());
            assertEquals("git:" + name, plan.getString("changes[0].managedBy"));
            assertEquals(c1, plan.getString("changes[0].revision"));
            Api.admin().contentType(ContentType.JSON).body(changed).post("/api/v1/manifests/apply").then().statusCode(200)
                    .body("changed", equalTo(true)).body("plan.changes[0].action", equalTo("conflict"));
            assertEquals("tag==" + g, groupOf(g).getString("filter"));

            // the same spec is no change, and the object stays the git source's
            Map<String, Object> same = Map.of("documents", List.of(Map.of("file", "g.yaml", "content", group(g, "tag==" + g))));
            Api.admin().contentType(ContentType.JSON).body(same).post("/api/v1/manifests/apply").then().statusCode(200)
                    .body("changed", equalTo(false)).body("plan.changes[0].managedBy", equalTo("git:" + name));
            JsonPath objects = Api.viewer().get("/api/v1/git-sources/{n}/objects", name).then().statusCode(200).extract().jsonPath();
            assertEquals(List.of(g), objects.getList("items.name"));
        }
    }

    @Test
    void theWebhookSyncsOnAGoodSignatureOnlyAndSaysNothingAboutWhatExists() throws Exception {
        String name = Api.uniqueName("hooked");
        String g = Api.uniqueName("git-group-hook");
        Path secretFile = Files.createTempFile("gitsync-hook", ".secret");
        Files.writeString(secretFile, "hook-secret-value\n");
        try (GitFixture repo = GitFixture.create()) {
            String c1 = repo.commit("group", "fleet/groups.yaml", group(g, "tag==" + g));
            Map<String, Object> body = source(name, repo.url(), "admin");
            body.put("webhookSecretRef", "file:" + secretFile.toAbsolutePath());
            String hook = create(Api.admin(), body).getString("webhookPath");
            awaitAttempt(name, c1, "applied");
            String c2 = repo.commit("change", "fleet/groups.yaml", group(g, "tag==" + g + "-2"));
            byte[] payload = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + c2 + "\"}").getBytes(StandardCharsets.UTF_8);

            String wrong = "sha256=" + HexFormat.of().formatHex(WebhookResource.hmac("another".getBytes(StandardCharsets.UTF_8), payload));
            String right = "sha256=" + HexFormat.of().formatHex(WebhookResource.hmac("hook-secret-value".getBytes(StandardCharsets.UTF_8), payload));
            String refusal = hook(hook, payload, wrong).then().statusCode(401).body("code", equalTo("unauthorized")).extract().asString();
            hook(hook, payload, null).then().statusCode(401);
            hook(hook, payload, "sha256=zz").then().statusCode(401);
            assertEquals(refusal, hook(hook.replace(name, name + "-nope"), payload, right).then().statusCode(401).extract().asString(),
                    "an unknown source is refused like a wrong signature");
            assertEquals(refusal, hook("/hooks/git/no-such-tenant/" + name, payload, right).then().statusCode(401).extract().asString());
            hook(hook, new byte[WebhookResource.MAX_BODY + 1], right).then().statusCode(413);
            assertEquals(c1, get(name).getString("lastAttempt.commit"), "a refused call starts no pass");
            assertEquals("tag==" + g, groupOf(g).getString("filter"));

            hook(hook, payload, right).then().statusCode(202).body("accepted", equalTo(true));
            awaitAttempt(name, c2, "applied");
            assertEquals("tag==" + g + "-2", groupOf(g).getString("filter"));
        } finally {
            Files.deleteIfExists(secretFile);
        }
    }

    private static io.restassured.response.Response hook(String path, byte[] payload, String signature) {
        RequestSpecification r = RestAssured.given().contentType(ContentType.JSON).header("X-GitHub-Event", "push").body(payload);
        if (signature != null) r = r.header("X-Hub-Signature-256", signature);
        return r.post(path);
    }

    @Test
    void aSourceActsWithinItsRoleAndItsCreatorMayGrantNoMore() throws Exception {
        String reader = Api.uniqueName("gitsync-reader");
        String manager = Api.uniqueName("gitsync-manager");
        Api.admin().contentType(ContentType.JSON).body(Map.of("name", reader, "permissions", List.of("devices:read", "profiles:read")))
                .post("/api/v1/roles").then().statusCode(201);
        Api.admin().contentType(ContentType.JSON).body(Map.of("name", manager, "permissions",
                List.of("gitsync:read", "gitsync:create", "gitsync:update", "devices:read", "profiles:read")))
                .post("/api/v1/roles").then().statusCode(201);
        String token = Api.admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("gitsync-mgr"), "role", manager))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        String g = Api.uniqueName("git-group-denied");
        try (GitFixture repo = GitFixture.create()) {
            String c1 = repo.commit("group", "fleet/groups.yaml", group(g, "tag==" + g));
            // a viewer may read sources, not create them
            Api.viewer().get("/api/v1/git-sources").then().statusCode(200);
            Api.viewer().contentType(ContentType.JSON).body(source(Api.uniqueName("v"), repo.url(), "viewer"))
                    .post("/api/v1/git-sources").then().statusCode(403).body("code", equalTo("forbidden"));
            // a role with permissions its creator lacks is refused
            Api.as(token).contentType(ContentType.JSON).body(source(Api.uniqueName("esc"), repo.url(), "admin"))
                    .post("/api/v1/git-sources").then().statusCode(403).body("code", equalTo("forbidden"))
                    .body("detail", containsString("devices:update"));
            Api.as(token).contentType(ContentType.JSON).body(source(Api.uniqueName("r"), repo.url(), "no-such-role"))
                    .post("/api/v1/git-sources").then().statusCode(400).body("field", equalTo("role"));

            // within its role the source is created; a commit that needs more fails and changes nothing
            String name = Api.uniqueName("narrow");
            create(Api.as(token), source(name, repo.url(), reader));
            JsonPath failed = awaitAttempt(name, c1, "failed");
            assertTrue(failed.getString("lastAttempt.message").contains("devices:update"), failed.prettify());
            assertTrue(failed.getString("lastAttempt.message").contains("fleet/groups.yaml"), failed.prettify());
            assertNull(failed.get("lastSyncedCommit"));
            Api.viewer().get("/api/v1/device-groups/{g}", g).then().statusCode(404);
            assertEquals(403, auditOf(c1).get(0).get("outcome"));
            Api.as(token).delete("/api/v1/git-sources/{n}", name).then().statusCode(403);
        }
    }

    @Test
    void secretsAreReferencesNeverValuesAndABadReferenceIsASyncError() throws Exception {
        Path secret = Files.createTempFile("gitsync-password", ".secret");
        Files.writeString(secret, "pa55word-never-shown");
        try (GitFixture repo = GitFixture.create()) {
            String c1 = repo.commit("empty", "fleet/README.md", "nothing yet");
            String name = Api.uniqueName("secretive");
            Map<String, Object> body = source(name, repo.url(), "viewer");
            body.put("credentials", Map.of("username", "bot", "passwordRef", "file:" + secret.toAbsolutePath()));
            body.put("webhookSecretRef", "env:MODELYARD_GITSYNC_TEST_SURELY_UNSET");
            String created = Api.admin().contentType(ContentType.JSON).body(body).post("/api/v1/git-sources").then().statusCode(201)
                    .body("credentials.username", equalTo("bot"))
                    .body("credentials.passwordRef", equalTo("file:" + secret.toAbsolutePath()))
                    .extract().asString();
            assertFalse(created.contains("pa55word-never-shown"), created);
            // file:// repositories take no credentials, but the reference was read: the pass applies the (empty) folder
            JsonPath synced = awaitAttempt(name, c1, "applied");
            assertFalse(synced.prettify().contains("pa55word-never-shown"));
            assertFalse(Api.viewer().get("/api/v1/git-sources").asString().contains("pa55word-never-shown"));

            // a reference that does not resolve is the source's error, naming the reference
            String unset = Api.uniqueName("unset");
            Map<String, Object> broken = source(unset, repo.url(), "viewer");
            broken.put("credentials", Map.of("username", "bot", "passwordRef", "env:MODELYARD_GITSYNC_TEST_SURELY_UNSET"));
            create(Api.admin(), broken);
            Api.await("the unresolved reference to fail the pass", DEADLINE, () -> "failed".equals(get(unset).getString("lastAttempt.outcome")));
            JsonPath failed = get(unset);
            assertEquals("failed", failed.getString("status"));
            assertTrue(failed.getString("lastAttempt.message").contains("env:MODELYARD_GITSYNC_TEST_SURELY_UNSET is not set"), failed.prettify());
            assertNull(failed.get("lastAttempt.commit"));

            // a secret value where a reference belongs, credentials in the URL, other schemes: 400 naming the field
            Map<String, Object> value = source(Api.uniqueName("v"), repo.url(), "viewer");
            value.put("credentials", Map.of("username", "bot", "passwordRef", "hunter2"));
            refused(value, "credentials.passwordRef");
            // references may name only what the operator set aside for git sources, never the server's own secrets
            Map<String, Object> serverEnv = source(Api.uniqueName("e"), repo.url(), "viewer");
            serverEnv.put("credentials", Map.of("username", "bot", "passwordRef", "env:MODELYARD_ADMIN_TOKEN"));
            refused(serverEnv, "credentials.passwordRef");
            Map<String, Object> serverFile = source(Api.uniqueName("f"), repo.url(), "viewer");
            serverFile.put("webhookSecretRef", "file:/etc/passwd");
            refused(serverFile, "webhookSecretRef");
            Map<String, Object> climbing = source(Api.uniqueName("c"), repo.url(), "viewer");
            climbing.put("webhookSecretRef", "file:" + secret.getParent().toAbsolutePath() + "/../etc/passwd");
            refused(climbing, "webhookSecretRef");
            refused(source(Api.uniqueName("u"), "https://bot:hunter2@git.example.org/fleet.git", "viewer"), "url");
            refused(source(Api.uniqueName("s"), "ssh://git@git.example.org/fleet.git", "viewer"), "url");
            refused(source(Api.uniqueName("g"), "git://git.example.org/fleet.git", "viewer"), "url");
            Map<String, Object> fast = source(Api.uniqueName("i"), repo.url(), "viewer");
            fast.put("interval", "5s");
            refused(fast, "interval");
            Map<String, Object> escape = source(Api.uniqueName("p"), repo.url(), "viewer");
            escape.put("path", "fleet/../..");
            refused(escape, "path");
            Map<String, Object> policy = source(Api.uniqueName("d"), repo.url(), "viewer");
            policy.put("driftPolicy", "ignore");
            refused(policy, "driftPolicy");
            Api.admin().contentType(ContentType.JSON).body(source(name, repo.url(), "viewer")).post("/api/v1/git-sources")
                    .then().statusCode(409).body("code", equalTo("already-exists"));
            Api.admin().contentType(ContentType.JSON).body(source("Bad Name", repo.url(), "viewer")).post("/api/v1/git-sources")
                    .then().statusCode(400).body("code", equalTo("invalid-name"));
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    private static void refused(Map<String, Object> body, String field) {
        Api.admin().contentType(ContentType.JSON).body(body).post("/api/v1/git-sources").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo(field)).body("detail", not(containsString("hunter2")));
        Api.viewer().get("/api/v1/git-sources/{n}", body.get("name")).then().statusCode(404);
    }

    @Test
    void aMissingBranchOrFolderIsTheSourcesErrorNotAServerError() throws Exception {
        try (GitFixture repo = GitFixture.create()) {
            String c1 = repo.commit("group", "fleet/groups.yaml", group(Api.uniqueName("g"), "tag==x"));
            String name = Api.uniqueName("nobranch");
            Map<String, Object> body = source(name, repo.url(), "viewer");
            body.put("branch", "release");
            create(Api.admin(), body);
            Api.await("the missing branch to fail the pass", DEADLINE, () -> "failed".equals(get(name).getString("lastAttempt.outcome")));
            assertTrue(get(name).getString("lastAttempt.message").contains("branch 'release'"), get(name).prettify());

            String folder = Api.uniqueName("nofolder");
            Map<String, Object> other = source(folder, repo.url(), "viewer");
            other.put("path", "elsewhere");
            create(Api.admin(), other);
            JsonPath failed = awaitAttempt(folder, c1, "failed");
            assertTrue(failed.getString("lastAttempt.message").contains("'elsewhere' is not a folder"), failed.prettify());
            assertNotEquals("synced", failed.getString("status"));
        }
    }
}
