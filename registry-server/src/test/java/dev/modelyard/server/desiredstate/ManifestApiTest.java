package dev.modelyard.server.desiredstate;

import static dev.modelyard.server.desiredstate.ManifestTexts.group;
import static dev.modelyard.server.desiredstate.ManifestTexts.model;
import static dev.modelyard.server.desiredstate.ManifestTexts.profile;
import static dev.modelyard.server.desiredstate.ManifestTexts.rollout;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Plan and apply of manifests over HTTP: changes and their differences, idempotency, prune, errors at file:line:col, permissions. */
@QuarkusTest
class ManifestApiTest {

    private static Map<String, Object> request(String source, boolean prune, String... files) {
        List<Map<String, String>> documents = new java.util.ArrayList<>();
        for (int i = 0; i < files.length; i += 2) documents.add(Map.of("file", files[i], "content", files[i + 1]));
        Map<String, Object> body = new HashMap<>();
        body.put("documents", documents);
        body.put("prune", prune);
        body.put("source", source);
        return body;
    }

    private static JsonPath call(RequestSpecification as, String what, Map<String, Object> body, int status) {
        return as.contentType(ContentType.JSON).body(body).post("/api/v1/manifests/" + what).then().statusCode(status).extract().jsonPath();
    }

    private static Map<String, Object> change(JsonPath plan, String kind, String name) {
        List<Map<String, Object>> changes = plan.getList("changes");
        return changes.stream().filter(c -> kind.equals(c.get("kind")) && name.equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(kind + " " + name + " not in " + changes));
    }

    private static String action(JsonPath plan, String kind, String name) {
        return (String) change(plan, kind, name).get("action");
    }

    @Test
    void planShowsChangesApplyMakesThemAndASecondApplyChangesNothing() {
        String m = ModelFixtures.published("1.0.0", "2.0.0");
        String tag = Api.uniqueName("mf");
        ModelFixtures.devices(tag, 2);
        String g = Api.uniqueName("mf-group");
        String p = Api.uniqueName("mf-profile");
        String r = Api.uniqueName("mf-rollout");
        String source = Api.uniqueName("cli-test");
        String set = model(m, "keyword spotting", "stable", "1.0.0") + "---\n" + group(g, "tag==" + tag) + "---\n"
                + profile(p, "aarch64") + "---\n" + rollout(r, m, g, "50%");

        JsonPath plan = call(Api.admin(), "plan", request(source, false, "fleet.yaml", set), 200);
        assertEquals("update", action(plan, "Model", m));
        assertEquals(List.of(Map.of("path", "spec.aliases.stable", "to", "1.0.0"),
                        Map.of("path", "spec.description", "to", "keyword spotting")),
                change(plan, "Model", m).get("differences"));
        assertEquals("create", action(plan, "DeviceGroup", g));
        assertEquals(2, change(plan, "DeviceGroup", g).get("devices"));
        assertEquals("create", action(plan, "TargetProfile", p));
        assertEquals("create", action(plan, "Rollout", r));
        assertEquals(2, change(plan, "Rollout", r).get("devices"), "the group the same set creates is counted");
        assertEquals("fleet.yaml", change(plan, "Rollout", r).get("file"));
        assertEquals(29, change(plan, "Rollout", r).get("line"));
        // planning changed nothing
        Api.viewer().get("/api/v1/device-groups/{g}", g).then().statusCode(404);

        JsonPath applied = call(Api.admin(), "apply", request(source, false, "fleet.yaml", set), 200);
        assertTrue(applied.getBoolean("changed"));
        Api.viewer().get("/api/v1/models/{m}", m).then().statusCode(200).body("description", equalTo("keyword spotting"))
                .body("aliases.stable", equalTo("1.0.0"));
        Api.viewer().get("/api/v1/device-groups/{g}", g).then().statusCode(200).body("count", equalTo(2));
        Api.viewer().get("/api/v1/conversion/profiles/{p}", p).then().statusCode(200).body("target.arch", equalTo("aarch64"));
        Api.viewer().queryParam("size", 200).get("/api/v1/rollouts").then().statusCode(200)
                .body("items.find { it.name == '" + r + "' }.state", equalTo("draft"))
                .body("items.find { it.name == '" + r + "' }.version", equalTo("1.0.0"));

        JsonPath again = call(Api.admin(), "plan", request(source, false, "fleet.yaml", set), 200);
        assertTrue(again.getList("changes.action").stream().allMatch("unchanged"::equals), () -> again.prettify());
        assertFalse(call(Api.admin(), "apply", request(source, false, "fleet.yaml", set), 200).getBoolean("changed"));

        // a changed filter and alias are updates with the field's before and after
        String changed = model(m, "keyword spotting", "stable", "2.0.0") + "---\n" + group(g, "tag==" + tag + ";controllerId==" + tag + "-*")
                + "---\n" + profile(p, "aarch64") + "---\n" + rollout(r, m, g, "10%");
        JsonPath next = call(Api.admin(), "plan", request(source, false, "fleet.yaml", changed), 200);
        assertEquals(List.of(Map.of("path", "spec.filter", "from", "tag==" + tag, "to", "tag==" + tag + ";controllerId==" + tag + "-*")),
                change(next, "DeviceGroup", g).get("differences"));
        assertEquals(2, change(next, "DeviceGroup", g).get("devices"));
        assertEquals("update", action(next, "Rollout", r), "a draft is replaced");
        assertEquals(List.of(Map.of("path", "spec.phases", "from", List.of(Map.of("size", "50%"), Map.of("size", "100%")),
                "to", List.of(Map.of("size", "10%"), Map.of("size", "100%")))), change(next, "Rollout", r).get("differences"));
        call(Api.admin(), "apply", request(source, false, "fleet.yaml", changed), 200);
        Api.viewer().get("/api/v1/models/{m}", m).then().statusCode(200).body("aliases.stable", equalTo("2.0.0"));
        long id = Api.viewer().queryParam("size", 200).get("/api/v1/rollouts").then().statusCode(200).extract().jsonPath()
                .getLong("items.find { it.name == '" + r + "' }.id");
        Api.viewer().get("/api/v1/rollouts/{id}", id).then().statusCode(200).body("version", equalTo("2.0.0"))
                .body("phases[0].size", equalTo("10%"));

        // once it runs, a different spec is a conflict that apply leaves alone
        Api.admin().post("/api/v1/rollouts/{id}/start", id).then().statusCode(200);
        String third = changed.replace("size: \"10%\"", "size: \"20%\"");
        JsonPath conflict = call(Api.admin(), "apply", request(source, false, "fleet.yaml", third), 200).setRootPath("plan");
        assertEquals("conflict", action(conflict, "Rollout", r));
        assertTrue(((String) change(conflict, "Rollout", r).get("note")).contains("running rollouts are not changed by apply"));
        Api.viewer().get("/api/v1/rollouts/{id}", id).then().statusCode(200).body("phases[0].size", equalTo("10%"));
    }

    @Test
    void pruneDeletesOnlyWhatTheSameSourceManagesAndTheSetNoLongerHas() {
        String tag = Api.uniqueName("pr");
        String keep = Api.uniqueName("keep");
        String gone = Api.uniqueName("gone");
        String other = Api.uniqueName("other-source");
        String byHand = Api.uniqueName("by-hand");
        String source = Api.uniqueName("cli-prune");
        String requestId = Api.uniqueName("manifest-apply");
        Map<String, Object> first = request(source, false, "a.yaml", group(keep, "tag==" + tag), "b.yaml", group(gone, "tag==" + tag));
        first.put("revision", "0123abc");
        Api.admin().header("X-Request-Id", requestId).contentType(ContentType.JSON).body(first)
                .post("/api/v1/manifests/apply").then().statusCode(200);
        // the audit entry of the call shows each managed object's source and revision among the entity changes it made
        JsonPath audit = Api.admin().queryParam("requestId", requestId).get("/api/v1/audit").then().statusCode(200)
                .extract().jsonPath().setRootPath("items[0]");
        assertEquals("POST /api/v1/manifests/apply", audit.getString("action"));
        Map<String, Map<String, Object>> made = audit.getMap("after");
        List<Map<String, Object>> managed = made.entrySet().stream().filter(e -> e.getKey().startsWith("ManagedObject "))
                .map(Map.Entry::getValue).toList();
        assertEquals(2, managed.size(), made::toString);
        assertTrue(managed.stream().allMatch(o -> source.equals(o.get("source")) && "0123abc".equals(o.get("revision"))), made::toString);
        assertTrue(made.keySet().stream().anyMatch(k -> k.startsWith("DeviceGroup ")), made::toString);
        call(Api.admin(), "apply", request(source + "-b", false, "c.yaml", group(other, "tag==" + tag)), 200);
        Api.admin().contentType(ContentType.JSON).body(Map.of("name", byHand, "filter", "tag==" + tag))
                .post("/api/v1/device-groups").then().statusCode(201);

        // without prune, an object left out is left alone
        JsonPath plain = call(Api.admin(), "plan", request(source, false, "a.yaml", group(keep, "tag==" + tag)), 200);
        assertEquals(1, plain.getList("changes").size());
        JsonPath plan = call(Api.admin(), "plan", request(source, true, "a.yaml", group(keep, "tag==" + tag)), 200);
        assertEquals("unchanged", action(plan, "DeviceGroup", keep));
        assertEquals("delete", action(plan, "DeviceGroup", gone));
        assertEquals(2, plan.getList("changes").size(), () -> plan.prettify());

        call(Api.admin(), "apply", request(source, true, "a.yaml", group(keep, "tag==" + tag)), 200);
        Api.viewer().get("/api/v1/device-groups/{g}", gone).then().statusCode(404);
        Api.viewer().get("/api/v1/device-groups/{g}", keep).then().statusCode(200);
        Api.viewer().get("/api/v1/device-groups/{g}", other).then().statusCode(200);
        Api.viewer().get("/api/v1/device-groups/{g}", byHand).then().statusCode(200);
        JsonPath after = call(Api.admin(), "plan", request(source, true, "a.yaml", group(keep, "tag==" + tag)), 200);
        assertEquals(List.of("unchanged"), after.getList("changes.action"));
    }

    @Test
    void invalidManifestsAre422WithFileLineAndColumnAndChangeNothing() {
        String m = ModelFixtures.published("1.0.0");
        String g = Api.uniqueName("bad-group");
        String set = group(g, "tag==a;atribute.arch==x") + "---\n" + model(m, "d", "stable", "9.9.9");
        Map<String, Object> body = request("cli", false, "bad.yaml", set);
        for (String what : List.of("plan", "apply")) {
            Api.admin().contentType(ContentType.JSON).body(body).post("/api/v1/manifests/" + what).then().statusCode(422)
                    .contentType("application/problem+json").body("code", equalTo("invalid-manifest"))
                    .body("errors", hasSize(2))
                    // the filter's bad token is at offset 7; the value's text starts at column 12 after the quote
                    .body("errors[0].file", equalTo("bad.yaml")).body("errors[0].line", equalTo(6))
                    .body("errors[0].column", equalTo(19)).body("errors[0].path", equalTo("spec.filter"))
                    .body("errors[0].message", containsString("did you mean 'attribute.arch'"))
                    .body("errors[1].line", equalTo(15)).body("errors[1].column", equalTo(13))
                    .body("errors[1].path", equalTo("spec.aliases.stable"))
                    .body("errors[1].message", containsString("has no version 9.9.9"))
                    .body("detail", containsString("bad.yaml:6:19: spec.filter:"));
        }
        Api.viewer().get("/api/v1/device-groups/{g}", g).then().statusCode(404);

        Api.admin().contentType(ContentType.JSON).body(request("cli", false, "typo.yaml", group(g, "tag==a").replace("spec:", "spec:\n  filtr: x")))
                .post("/api/v1/manifests/plan").then().statusCode(422).body("code", equalTo("invalid-manifest"))
                .body("errors[0].line", equalTo(6)).body("errors[0].column", equalTo(3))
                .body("errors[0].message", equalTo("spec.filtr: unknown field (accepted: description, filter)"));
        Api.admin().contentType(ContentType.JSON).body(Map.of("documents", List.of()))
                .post("/api/v1/manifests/plan").then().statusCode(400).body("code", equalTo("missing-field"))
                .body("field", equalTo("documents"));
        Api.admin().contentType(ContentType.JSON).body(request("git:someone/else", false, "a.yaml", group(g, "tag==a")))
                .post("/api/v1/manifests/apply").then().statusCode(400).body("field", equalTo("source"));
    }

    @Test
    void planNeedsReadPermissionsAndApplyTheWritePermissionsOfEachChange() {
        String g = Api.uniqueName("perm-group");
        Map<String, Object> body = request(Api.uniqueName("cli-perm"), false, "g.yaml", group(g, "tag==x"));
        JsonPath plan = call(Api.viewer(), "plan", body, 200);
        assertEquals("create", action(plan, "DeviceGroup", g));
        Api.viewer().contentType(ContentType.JSON).body(body).post("/api/v1/manifests/apply").then().statusCode(403)
                .body("code", equalTo("forbidden")).body("detail", containsString("devices:update"));
        Api.viewer().get("/api/v1/device-groups/{g}", g).then().statusCode(404);
        // an operator reads devices but not profiles
        Api.as(Api.token("operator")).contentType(ContentType.JSON)
                .body(request("cli", false, "p.yaml", profile(Api.uniqueName("perm-profile"), "x86_64")))
                .post("/api/v1/manifests/plan").then().statusCode(403).body("detail", containsString("profiles:read"));
        io.restassured.RestAssured.given().contentType(ContentType.JSON).body(body).post("/api/v1/manifests/plan").then().statusCode(401);
        call(Api.publisher(), "apply", body, 200);
        Api.viewer().get("/api/v1/device-groups/{g}", g).then().statusCode(200);
    }
}
