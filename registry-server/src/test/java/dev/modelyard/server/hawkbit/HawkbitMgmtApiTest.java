package dev.modelyard.server.hawkbit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.server.device.LastSeen;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * hawkBit's Management API at {@code /rest/v1}, driven the way hawkBit's own documentation and
 * the management client of rauc-hawkbit-updater's test suite drive it: HTTP Basic, JSON arrays
 * for creation, multipart artifact upload, assignment, then the action read back.
 */
@QuarkusTest
class HawkbitMgmtApiTest {

    @Inject
    LastSeen lastSeen;

    private static final String JSON_UTF8 = "application/json;charset=UTF-8";

    /** As hawkBit clients authenticate: HTTP Basic, here with an API token as the password. */
    static RequestSpecification basic(String token) {
        return given().auth().preemptive().basic("admin", token);
    }

    static RequestSpecification admin() {
        return basic(TestServer.ADMIN_TOKEN);
    }

    static String hex(String algorithm, byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    }

    static String feedback(String execution, String finished, String detail) {
        return "{\"status\":{\"execution\":\"" + execution + "\",\"result\":{\"finished\":\"" + finished
                + "\"},\"details\":[\"" + detail + "\"]}}";
    }

    /**
     * The sequence of rauc-hawkbit-updater's test fixtures (add_target with a token,
     * add_softwaremodule, add_artifact, add_distributionset, assign_target, get_action,
     * get_action_status, and the cleanup), with a device reporting over DDI in between.
     */
    @Test
    void deviceClientTestSuiteFlow() throws Exception {
        String target = Api.uniqueName("test-target");
        String token = "ieHai3du7gee7aPhojeth4ong" + target.length();

        // add_target(target_id, token)
        admin().contentType(JSON_UTF8).body(List.of(Map.of("controllerId", target, "name", target, "securityToken", token)))
                .post("/rest/v1/targets").then().statusCode(201)
                .body("[0].controllerId", equalTo(target)).body("[0].securityToken", equalTo(token));
        // get_target(): the config fixture reads securityToken and name from it; the token is only
        // readable with modelyard.hawkbit.readable-target-tokens (HawkbitReadableTokensTest), off by default
        admin().header("Content-Type", JSON_UTF8).get("/rest/v1/targets/{t}", target).then().statusCode(200)
                .body("controllerId", equalTo(target)).body("name", equalTo(target))
                .body("securityToken", nullValue()).body("updateStatus", equalTo("unknown"))
                .body("_links.self.href", equalTo("/rest/v1/targets/" + target));

        // add_softwaremodule(): version str(1.0), type os
        long module = admin().contentType(JSON_UTF8)
                .body(List.of(Map.of("name", "software module " + target, "version", "1.0", "type", "os")))
                .post("/rest/v1/softwaremodules").then().statusCode(201)
                .body("[0].type", equalTo("os")).body("[0].version", equalTo("1.0.0")).body("[0].locked", equalTo(false))
                .extract().jsonPath().getLong("[0].id");

        // add_artifact(): multipart 'file' only, named like the suite's symlinks (bundle.raucb_0)
        byte[] bundle = Api.randomBytes(512 * 64, 7);
        JsonPath artifact = admin().multiPart("file", "bundle.raucb_0", bundle, "application/octet-stream")
                .multiPart("sha1sum", hex("SHA-1", bundle))
                .post("/rest/v1/softwaremodules/{m}/artifacts", module).then().statusCode(201)
                .body("providedFilename", equalTo("bundle.raucb_0")).body("size", equalTo(bundle.length))
                .body("hashes.sha1", equalTo(hex("SHA-1", bundle))).body("hashes.md5", equalTo(hex("MD5", bundle)))
                .body("hashes.sha256", equalTo(hex("SHA-256", bundle)))
                .extract().jsonPath();
        long artifactId = artifact.getLong("id");
        admin().get("/rest/v1/softwaremodules/{m}/artifacts/{a}", module, artifactId).then().statusCode(200)
                .body("id", equalTo((int) artifactId));
        assertArrayEquals(bundle, admin().get(artifact.getString("_links.download.href")).then().statusCode(200)
                .extract().asByteArray());

        // add_distributionset(module_ids=[module], dist_type os)
        long set = admin().contentType(JSON_UTF8).body(List.of(Map.of("name", "distribution 1.0 (" + target + ")",
                        "description", "Test distribution", "version", "1.0", "modules", List.of(Map.of("id", module)),
                        "type", "os")))
                .post("/rest/v1/distributionsets").then().statusCode(201)
                .body("[0].modules", hasSize(1)).body("[0].modules[0].id", equalTo((int) module))
                .extract().jsonPath().getLong("[0].id");

        // The device reports its attributes as rauc-hawkbit-updater does; no runtime among them: a
        // payload like a RAUC bundle needs none.
        RequestSpecification device = given().header("Authorization", "TargetToken " + token);
        String ddi = "/DEFAULT/controller/v1/" + target;
        device.contentType(ContentType.JSON).body(Map.of("mode", "merge", "data", Map.of("product", "Terminator", "hw_revision", "2")))
                .put(ddi + "/configData").then().statusCode(200);
        admin().get("/rest/v1/targets/{t}/attributes", target).then().statusCode(200).body("product", equalTo("Terminator"));

        // assign_target(): the suite takes assignedActions[-1].id
        JsonPath assigned = admin().contentType(JSON_UTF8).body(List.of(Map.of("id", target)))
                .post("/rest/v1/distributionsets/{s}/assignedTargets", set).then().statusCode(200)
                .body("assigned", equalTo(1)).body("alreadyAssigned", equalTo(0)).body("failed", equalTo(0)).body("total", equalTo(1))
                .extract().jsonPath();
        long action = assigned.getLong("assignedActions[-1].id");
        admin().get("/rest/v1/softwaremodules/{m}", module).then().statusCode(200).body("locked", equalTo(true));
        // The same set again through the target's endpoint (one object, as hawkBit's example): already assigned.
        admin().contentType(JSON_UTF8).body(Map.of("id", set, "type", "forced"))
                .post("/rest/v1/targets/{t}/assignedDS", target).then().statusCode(200)
                .body("assigned", equalTo(0)).body("alreadyAssigned", equalTo(1)).body("total", equalTo(1));
        admin().get("/rest/v1/targets?q=updateStatus==pending;controllerId==" + target).then().statusCode(200)
                .body("total", equalTo(1));

        // The device polls with its token and sees the deployment.
        String href = device.get(ddi).then().statusCode(200).extract().jsonPath().getString("_links.deploymentBase.href");
        assertTrue(href.contains("/deploymentBase/" + action), href);
        device.get(href).then().statusCode(200)
                .body("deployment.chunks[0].artifacts.filename", hasItem("bundle.raucb_0"));
        String fb = ddi + "/deploymentBase/" + action + "/feedback";
        device.contentType(ContentType.JSON).body(feedback("proceeding", "none", "Installing")).post(fb).then().statusCode(200);
        admin().get("/rest/v1/targets/{t}/actions/{a}", target, action).then().statusCode(200)
                .body("status", equalTo("pending")).body("active", equalTo(true));
        device.contentType(ContentType.JSON).body(feedback("closed", "success", "Software bundle installed successfully."))
                .post(fb).then().statusCode(200);

        // get_action() and get_action_status()
        admin().get("/rest/v1/targets/{t}/actions/{a}", target, action).then().statusCode(200)
                .body("id", equalTo((int) action)).body("type", equalTo("update")).body("status", equalTo("finished"))
                .body("detailStatus", equalTo("finished")).body("active", equalTo(false)).body("forceType", equalTo("forced"))
                .body("_links.distributionset.href", equalTo("/rest/v1/distributionsets/" + set))
                .body("_links.status.href", containsString("/actions/" + action + "/status"));
        JsonPath status = admin().get("/rest/v1/targets/{t}/actions/{a}/status?offset=0&limit=50&sort=id:DESC", target, action)
                .then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> entries = status.getList("content");
        assertEquals(status.getInt("total"), entries.size());
        assertEquals("finished", entries.get(0).get("type"));
        assertEquals(List.of("Software bundle installed successfully."), entries.get(0).get("messages"));
        assertTrue(status.getList("content.type").contains("running"));
        List<Long> ids = status.getList("content.id", Long.class);
        for (int i = 1; i < ids.size(); i++) assertTrue(ids.get(i - 1) > ids.get(i), "sorted by id, newest first: " + ids);

        lastSeen.flush(); // last-seen times are written in batches
        admin().get("/rest/v1/targets/{t}", target).then().statusCode(200).body("updateStatus", equalTo("in_sync"))
                .body("installedAt", notNullValue()).body("lastControllerRequestAt", notNullValue());
        admin().get("/rest/v1/targets/{t}/installedDS", target).then().statusCode(200).body("id", equalTo((int) set));
        admin().get("/rest/v1/targets?q=updateStatus==in_sync;controllerId==" + target + "&sort=updateStatus:ASC")
                .then().statusCode(200).body("total", equalTo(1));
        admin().get("/rest/v1/targets/{t}/assignedDS", target).then().statusCode(200).body("id", equalTo((int) set));
        admin().get("/rest/v1/targets/{t}/actions", target).then().statusCode(200)
                .body("total", equalTo(1)).body("content[0].id", equalTo((int) action));

        // The suite's cleanup: cancel (refused, the action is closed), delete set, artifact (refused:
        // locked), module, target; hawkBit's error bodies on the way.
        admin().delete("/rest/v1/targets/{t}/actions/{a}?force=true", target, action).then().statusCode(405)
                .body("errorCode", equalTo("hawkbit.server.error.action.notCancelable"));
        admin().delete("/rest/v1/distributionsets/{s}", set).then().statusCode(204);
        admin().delete("/rest/v1/softwaremodules/{m}/artifacts/{a}", module, artifactId).then().statusCode(423)
                .body("errorCode", equalTo("hawkbit.server.error.locked"))
                .body("exceptionClass", equalTo("org.eclipse.hawkbit.repository.exception.LockedException"));
        admin().delete("/rest/v1/softwaremodules/{m}", module).then().statusCode(204);
        admin().get("/rest/v1/softwaremodules/{m}", module).then().statusCode(200).body("deleted", equalTo(true));
        admin().delete("/rest/v1/targets/{t}", target).then().statusCode(204);
        admin().get("/rest/v1/targets/{t}", target).then().statusCode(404).contentType(ContentType.JSON)
                .body("errorCode", equalTo("hawkbit.server.error.repo.entityNotFound"))
                .body("exceptionClass", equalTo("org.eclipse.hawkbit.repository.exception.EntityNotFoundException"))
                .body("message", containsString(target));
        device.get(ddi).then().statusCode(401);
    }

    /** The request bodies of hawkBit's documented examples, with fields Modelyard does not use. */
    @Test
    void documentedExamples() {
        String id = Api.uniqueName("doc");
        // createTargets: the documented body, with address and targetType (ignored here)
        admin().contentType(ContentType.JSON).body("""
                        [ {
                          "securityToken" : "2345678DGGDGFTDzztgf",
                          "controllerId" : "%s",
                          "name" : "controllerName",
                          "description" : "Example description of a target",
                          "address" : "https://192.168.0.1",
                          "targetType" : 10
                        } ]""".formatted(id))
                .post("/rest/v1/targets").then().statusCode(201)
                .body("[0].controllerId", equalTo(id)).body("[0].name", equalTo("controllerName"))
                .body("[0].description", equalTo("Example description of a target"))
                .body("[0].securityToken", equalTo("2345678DGGDGFTDzztgf"))
                .body("[0].createdAt", notNullValue()).body("[0].createdBy", notNullValue())
                .body("[0].requestAttributes", equalTo(true))
                .body("[0]._links.assignedDS.href", equalTo("/rest/v1/targets/" + id + "/assignedDS"))
                .body("[0]._links.actions.href", startsWith("/rest/v1/targets/" + id + "/actions"));
        // the same controllerId again: 409 entityAlreadyExists
        admin().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", id)))
                .post("/rest/v1/targets").then().statusCode(409)
                .body("errorCode", equalTo("hawkbit.server.error.repo.entityAlreadyExists"));
        // updateTarget: the documented body
        admin().contentType(ContentType.JSON).body("""
                        {
                          "description" : "new description",
                          "name" : "new name",
                          "requestAttributes" : true,
                          "targetType" : 10
                        }""")
                .put("/rest/v1/targets/{t}", id).then().statusCode(200)
                .body("name", equalTo("new name")).body("description", equalTo("new description"));
        // getTargets with paging, sorting and the simple RSQL forms
        admin().get("/rest/v1/targets?offset=0&limit=2&sort=name:DESC&q=controllerId==" + id).then().statusCode(200)
                .body("total", equalTo(1)).body("size", equalTo(1)).body("content[0].controllerId", equalTo(id));
        admin().get("/rest/v1/targets?q=name==new*;controllerId==" + id).then().statusCode(200).body("total", equalTo(1));
        admin().get("/rest/v1/targets?q=name==other;controllerId==" + id).then().statusCode(200)
                .body("total", equalTo(0)).body("content", hasSize(0));
        admin().get("/rest/v1/targets?q=name=in=(a,b)").then().statusCode(400)
                .body("errorCode", equalTo("hawkbit.server.error.rest.param.rsqlParamSyntax"));
        // times are epoch milliseconds, as in the answers
        long createdAt = admin().get("/rest/v1/targets/{t}", id).then().statusCode(200).extract().jsonPath().getLong("createdAt");
        admin().get("/rest/v1/targets?q=createdAt==" + createdAt + ";controllerId==" + id).then().statusCode(200)
                .body("total", equalTo(1));
        admin().get("/rest/v1/targets?q=createdAt!=" + createdAt + ";controllerId==" + id).then().statusCode(200)
                .body("total", equalTo(0));
        admin().get("/rest/v1/targets?q=lastModifiedAt==yesterday").then().statusCode(400)
                .body("errorCode", equalTo("hawkbit.server.error.rest.param.rsqlParamSyntax"));
        admin().get("/rest/v1/targets?q=updateStatus==foo").then().statusCode(400)
                .body("message", containsString("in_sync"));
        admin().get("/rest/v1/targets?sort=name:UP").then().statusCode(400)
                .body("errorCode", equalTo("hawkbit.server.error.rest.param.sortParamSyntax"));
        admin().get("/rest/v1/targets/{t}/attributes", id).then().statusCode(204);
        admin().get("/rest/v1/targets/{t}/assignedDS", id).then().statusCode(204);
        admin().get("/rest/v1/targets/{t}/installedDS", id).then().statusCode(204);

        // createSoftwareModules: the documented body (vendor, encrypted are ignored here)
        JsonPath sm = admin().contentType(ContentType.JSON).body("""
                        [ {
                          "vendor" : "Vendor Limited, California",
                          "name" : "SM %s",
                          "description" : "SM Description",
                          "type" : "os",
                          "version" : "1.0.0",
                          "encrypted" : false
                        } ]""".formatted(id))
                .post("/rest/v1/softwaremodules").then().statusCode(201)
                .body("[0].name", equalTo("sm-" + id)).body("[0].version", equalTo("1.0.0"))
                .body("[0].type", equalTo("os")).body("[0].typeName", equalTo("OS"))
                .body("[0].description", equalTo("SM Description")).body("[0].deleted", equalTo(false))
                .extract().jsonPath();
        long module = sm.getLong("[0].id");
        assertEquals("/rest/v1/softwaremodules/" + module + "/artifacts", sm.getString("[0]._links.artifacts.href"));
        admin().get("/rest/v1/softwaremodules/{m}/artifacts", module).then().statusCode(200).body("", hasSize(0));
        // a wrong checksum: 400 with hawkBit's code, nothing stored
        admin().multiPart("file", "origFilename", new byte[]{1, 2, 3}).multiPart("md5sum", "0123456789abcdef0123456789abcdef")
                .post("/rest/v1/softwaremodules/{m}/artifacts", module).then().statusCode(400)
                .body("errorCode", equalTo("hawkbit.server.error.artifact.uploadFailed.checksum.md5.match"));
        admin().get("/rest/v1/softwaremodules/{m}/artifacts", module).then().statusCode(200).body("", hasSize(0));
        admin().contentType(ContentType.JSON).body(List.of(Map.of("id", id, "type", "soft")))
                .post("/rest/v1/distributionsets/{s}/assignedTargets", module).then().statusCode(409)
                .body("message", containsString("no artifacts"));

        // createDistributionSets: the documented body
        admin().contentType(ContentType.JSON).body("""
                        [ {
                          "requiredMigrationStep" : false,
                          "name" : "dsName",
                          "description" : "Example description of a distribution set",
                          "type" : "test_default_ds_type",
                          "version" : "1.0.0",
                          "modules" : [ { "id" : %d } ]
                        } ]""".formatted(module))
                .post("/rest/v1/distributionsets").then().statusCode(201)
                .body("[0].id", equalTo((int) module)).body("[0].complete", equalTo(false))
                .body("[0].modules.id", everyItem(equalTo((int) module)));
        admin().contentType(ContentType.JSON).body("[{\"name\":\"two\",\"version\":\"1\",\"modules\":[{\"id\":1},{\"id\":2}]}]")
                .post("/rest/v1/distributionsets").then().statusCode(400)
                .body("errorCode", equalTo("hawkbit.server.error.repo.constraintViolation"));
        admin().get("/rest/v1/distributionsets/{s}", 987654321L).then().statusCode(404)
                .body("errorCode", equalTo("hawkbit.server.error.repo.entityNotFound"));
        admin().contentType(ContentType.JSON).body("not json").post("/rest/v1/targets").then().statusCode(400)
                .body("errorCode", equalTo("hawkbit.server.error.rest.body.notReadable"));
        admin().get("/rest/v1/softwaremodules?offset=0&limit=500").then().statusCode(200)
                .body("content.id", hasItem((int) module));
        admin().get("/rest/v1/distributionsets?limit=501").then().statusCode(400);
        // Rollouts are not there yet: 404, in hawkBit's error shape.
        admin().get("/rest/v1/rollouts").then().statusCode(404).body("errorCode", equalTo("hawkbit.server.error.repo.entityNotFound"));
    }

    /** Target filters: stored when this server can evaluate the query, which then selects targets as a filter. */
    @Test
    void targetFilters() {
        String id = Api.uniqueName("filtered");
        admin().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", id, "name", "kiosk " + id)))
                .post("/rest/v1/targets").then().statusCode(201);
        String name = Api.uniqueName("filter");
        String query = "name==kiosk*;controllerId==" + id;
        JsonPath created = admin().contentType(ContentType.JSON).body("{\"query\":\"" + query + "\",\"name\":\"" + name + "\"}")
                .post("/rest/v1/targetfilters").then().statusCode(201)
                .body("name", equalTo(name)).body("query", equalTo(query)).body("createdAt", notNullValue())
                .extract().jsonPath();
        long filter = created.getLong("id");
        assertEquals("/rest/v1/targetfilters/" + filter, created.getString("_links.self.href"));
        String stored = admin().get("/rest/v1/targetfilters/{f}", filter).then().statusCode(200).extract().path("query");
        admin().queryParam("q", stored).get("/rest/v1/targets").then().statusCode(200)
                .body("total", equalTo(1)).body("content[0].controllerId", equalTo(id));
        admin().contentType(ContentType.JSON).body(Map.of("name", name, "query", "name==x"))
                .post("/rest/v1/targetfilters").then().statusCode(409);
        // hawkBit's documented example body
        String example = Api.uniqueName("filterName");
        long exampleId = admin().contentType(ContentType.JSON)
                .body("{\"name\" : \"" + example + "\", \"query\" : \"controllerId==example-target-*\"}")
                .post("/rest/v1/targetfilters").then().statusCode(201).body("query", equalTo("controllerId==example-target-*"))
                .extract().jsonPath().getLong("id");
        admin().queryParam("q", "controllerId==example-target-*").get("/rest/v1/targets").then().statusCode(200)
                .body("total", equalTo(0));
        admin().delete("/rest/v1/targetfilters/{f}", exampleId).then().statusCode(204);
        admin().contentType(ContentType.JSON).body(Map.of("name", name + "-or", "query", "name==a,name==b"))
                .post("/rest/v1/targetfilters").then().statusCode(400)
                .body("errorCode", equalTo("hawkbit.server.error.rest.param.rsqlParamSyntax"));
        // stored only when it can be evaluated: a time is a number, a status one of the statuses
        admin().contentType(ContentType.JSON).body(Map.of("name", name + "-time", "query", "createdAt==soon"))
                .post("/rest/v1/targetfilters").then().statusCode(400);
        admin().contentType(ContentType.JSON).body(Map.of("name", name + "-status", "query", "updateStatus==foo"))
                .post("/rest/v1/targetfilters").then().statusCode(400);
        long timed = admin().contentType(ContentType.JSON).body(Map.of("name", name + "-ms", "query", "createdAt==1"))
                .post("/rest/v1/targetfilters").then().statusCode(201).extract().jsonPath().getLong("id");
        admin().queryParam("q", "createdAt==1").get("/rest/v1/targets").then().statusCode(200).body("total", equalTo(0));
        admin().delete("/rest/v1/targetfilters/{f}", timed).then().statusCode(204);
        admin().contentType(ContentType.JSON).body(Map.of("query", "updateStatus==in_sync"))
                .put("/rest/v1/targetfilters/{f}", filter).then().statusCode(200)
                .body("name", equalTo(name)).body("query", equalTo("updateStatus==in_sync"));
        admin().queryParam("q", "name==" + name).get("/rest/v1/targetfilters").then().statusCode(200)
                .body("total", equalTo(1)).body("content[0].id", equalTo((int) filter));
        admin().delete("/rest/v1/targetfilters/{f}", filter).then().statusCode(204);
        admin().get("/rest/v1/targetfilters/{f}", filter).then().statusCode(404)
                .body("errorCode", equalTo("hawkbit.server.error.repo.entityNotFound"));
    }

    @Test
    void authenticationAndRoles() {
        given().get("/rest/v1/targets").then().statusCode(401).header("WWW-Authenticate", startsWith("Basic"))
                .body("message", notNullValue());
        basic("wrong-token").get("/rest/v1/targets").then().statusCode(401);
        // Bearer works too, and a viewer reads but does not write and sees no token.
        String viewer = Api.token("viewer");
        String id = Api.uniqueName("roles");
        admin().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", id))).post("/rest/v1/targets")
                .then().statusCode(201).body("[0].securityToken", notNullValue());
        given().header("Authorization", "Bearer " + viewer).get("/rest/v1/targets/{t}", id).then().statusCode(200)
                .body("securityToken", nullValue());
        basic(viewer).contentType(ContentType.JSON).body(List.of(Map.of("controllerId", id + "x"))).post("/rest/v1/targets")
                .then().statusCode(403).body("errorCode", equalTo("hawkbit.server.error.insufficientPermission"));
        String publisher = Api.token("publisher");
        basic(publisher).delete("/rest/v1/targets/{t}", id).then().statusCode(403);
        // Whoever sets a device's token can act as that device: changing it needs admin, as on /api/v1.
        basic(publisher).contentType(ContentType.JSON).body(Map.of("securityToken", "publisher-chose-this-token"))
                .put("/rest/v1/targets/{t}", id).then().statusCode(403)
                .body("errorCode", equalTo("hawkbit.server.error.insufficientPermission"))
                .body("exceptionClass", notNullValue()).body("message", containsString("securityToken"));
        basic(publisher).contentType(ContentType.JSON).body(Map.of("name", "renamed by publisher"))
                .put("/rest/v1/targets/{t}", id).then().statusCode(200).body("name", equalTo("renamed by publisher"));
        admin().contentType(ContentType.JSON).body(Map.of("securityToken", "admin-chose-this-token"))
                .put("/rest/v1/targets/{t}", id).then().statusCode(200);
    }

    /** Requests refused before the REST layer (here: a broken percent-encoding) get hawkBit's error body too. */
    @Test
    void malformedRequestsGetHawkbitsErrorBody() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("localhost", io.restassured.RestAssured.port)) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(("GET /rest/v1/targets/%zz HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + TestServer.ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), answer);
            JsonPath body = new JsonPath(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertEquals("hawkbit.server.error.repo.constraintViolation", body.getString("errorCode"));
            assertTrue(body.getString("message").contains("percent-encoded"), answer);
        }
    }

    /** Tokens: only the hash is kept by default, chosen tokens are long, a taken token is refused without naming its device. */
    @Test
    void tokensAreKeptAsHashes() {
        String id = Api.uniqueName("hashed");
        String generated = admin().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", id)))
                .post("/rest/v1/targets").then().statusCode(201).body("[0].securityToken", notNullValue())
                .extract().jsonPath().getString("[0].securityToken");
        admin().get("/rest/v1/targets/{t}", id).then().statusCode(200).body("securityToken", nullValue());
        admin().get("/rest/v1/targets?q=controllerId=={t}", id).then().statusCode(200)
                .body("content[0].securityToken", nullValue());
        // The generated token works over DDI, though it is never shown again.
        given().header("Authorization", "TargetToken " + generated)
                .get("/DEFAULT/controller/v1/{t}", id).then().statusCode(200);
        given().header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).get("/api/v1/devices/{t}", id).then()
                .statusCode(200).body("tokenHint", equalTo(generated.substring(0, 4)));

        String chosen = "chosen-token-" + id;
        String other = Api.uniqueName("hashed-other");
        admin().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", other, "securityToken", chosen)))
                .post("/rest/v1/targets").then().statusCode(201).body("[0].securityToken", equalTo(chosen));
        given().header("Authorization", "Bearer " + TestServer.ADMIN_TOKEN).get("/api/v1/devices/{t}", other).then()
                .statusCode(200).body("tokenHint", equalTo(chosen.substring(0, 4)));
        // A taken token: refused, and the refusal does not say which device has it.
        admin().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", id + "-2", "securityToken", chosen)))
                .post("/rest/v1/targets").then().statusCode(409)
                .body("message", not(containsString(other))).body("message", containsString("cannot be used"));
        admin().contentType(ContentType.JSON).body(Map.of("securityToken", chosen))
                .put("/rest/v1/targets/{t}", id).then().statusCode(409)
                .body("message", not(containsString(other)));
        // Short chosen tokens can be guessed.
        admin().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", id + "-3", "securityToken", "fifteen-chars-x")))
                .post("/rest/v1/targets").then().statusCode(400).body("message", containsString("16"));
        // Basic is for /rest/v1 only: /api/v1 keeps Bearer.
        basic(TestServer.ADMIN_TOKEN).get("/api/v1/devices").then().statusCode(401);
    }
}
