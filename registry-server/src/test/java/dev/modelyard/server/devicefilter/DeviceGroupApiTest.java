package dev.modelyard.server.devicefilter;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Device groups and the filter errors of the device API over HTTP: bodies, statuses, permissions. */
@QuarkusTest
class DeviceGroupApiTest {

    private static Map<String, Object> group(String name, String filter) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("filter", filter);
        return body;
    }

    private static String devices(String prefix, String tag, int n) {
        for (int i = 0; i < n; i++) {
            Api.admin().contentType(ContentType.JSON).body(Map.of("controllerId", prefix + "-" + i, "tags", List.of(tag)))
                    .post("/api/v1/devices").then().statusCode(201);
        }
        return prefix;
    }

    @Test
    void groupsLiveCrudWithLiveCountsAndMembers() {
        String prefix = devices(Api.uniqueName("grp"), "lobby", 3);
        String name = Api.uniqueName("lobby-screens");
        String filter = "controllerId==" + prefix + "-*;tag==lobby";
        Api.publisher().contentType(ContentType.JSON).body(Map.of("name", name, "description", "Screens", "filter", filter))
                .post("/api/v1/device-groups").then().statusCode(201)
                .header("Location", endsWith("/api/v1/device-groups/" + name))
                .body("name", equalTo(name)).body("filter", equalTo(filter)).body("count", equalTo(3))
                .body("description", equalTo("Screens")).body("createdBy", not(nullValue()));
        Api.viewer().get("/api/v1/device-groups/{n}", name).then().statusCode(200).body("count", equalTo(3));
        Api.viewer().queryParam("size", 500).get("/api/v1/device-groups").then().statusCode(200).body("items.name", hasItem(name))
                .body("items.find { it.name == '" + name + "' }.count", equalTo(3));
        // pickers list names and filters without counting every group over the fleet
        Api.viewer().queryParam("size", 500).queryParam("counts", false).get("/api/v1/device-groups").then().statusCode(200)
                .body("items.find { it.name == '" + name + "' }.filter", equalTo(filter))
                .body("items.find { it.name == '" + name + "' }.count", nullValue());
        Api.viewer().queryParam("size", 2).get("/api/v1/device-groups/{n}/devices", name).then().statusCode(200)
                .body("total", equalTo(3)).body("items.controllerId", equalTo(List.of(prefix + "-0", prefix + "-1")));

        // membership is live: a new device that matches is in the group at once
        Api.admin().contentType(ContentType.JSON).body(Map.of("controllerId", prefix + "-9", "tags", List.of("lobby")))
                .post("/api/v1/devices").then().statusCode(201);
        Api.viewer().get("/api/v1/device-groups/{n}", name).then().statusCode(200).body("count", equalTo(4));

        Api.publisher().contentType(ContentType.JSON).body(Map.of("filter", "controllerId==" + prefix + "-0"))
                .put("/api/v1/device-groups/{n}", name).then().statusCode(200).body("count", equalTo(1))
                .body("description", nullValue());
        Api.admin().delete("/api/v1/device-groups/{n}", name).then().statusCode(204);
        Api.viewer().get("/api/v1/device-groups/{n}", name).then().statusCode(404).body("code", equalTo("device-group-not-found"));
    }

    @Test
    void refusesBadGroupsWithPreciseProblems() {
        String name = Api.uniqueName("g");
        Api.publisher().contentType(ContentType.JSON).body(group(name, "tag==a;atribute.arch==x"))
                .post("/api/v1/device-groups").then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("invalid-filter")).body("field", equalTo("filter")).body("parameter", nullValue())
                .body("offset", equalTo(7)).body("detail", containsString("did you mean 'attribute.arch'"))
                .body("accepted", hasItem("attribute.<key>"));
        Api.publisher().contentType(ContentType.JSON).body(group(name, "tag==" + "a".repeat(5000)))
                .post("/api/v1/device-groups").then().statusCode(400).body("code", equalTo("invalid-filter"))
                .body("offset", equalTo(4096)).body("detail", containsString("longer than 4096"));
        Api.publisher().contentType(ContentType.JSON).body(Map.of("name", name))
                .post("/api/v1/device-groups").then().statusCode(400).body("code", equalTo("missing-field")).body("field", equalTo("filter"));
        Api.publisher().contentType(ContentType.JSON).body(group("Not A Name", "tag==a"))
                .post("/api/v1/device-groups").then().statusCode(400).body("code", equalTo("invalid-name"));
        Api.publisher().contentType(ContentType.JSON).body(Map.of("name", name, "filter", "tag==a", "colour", "red"))
                .post("/api/v1/device-groups").then().statusCode(400).body("code", equalTo("unknown-field"));

        Api.publisher().contentType(ContentType.JSON).body(group(name, "tag==a")).post("/api/v1/device-groups").then().statusCode(201);
        Api.publisher().contentType(ContentType.JSON).body(group(name, "tag==b")).post("/api/v1/device-groups").then().statusCode(409)
                .body("code", equalTo("already-exists"));
        Api.publisher().contentType(ContentType.JSON).body(Map.of("filter", "tag=lt=a")).put("/api/v1/device-groups/{n}", name)
                .then().statusCode(400).body("code", equalTo("invalid-filter")).body("offset", equalTo(3))
                .body("accepted", equalTo(List.of("==", "!=", "=in=", "=out=")));
        Api.publisher().contentType(ContentType.JSON).body(Map.of("filter", "tag==a")).put("/api/v1/device-groups/{n}", "nosuch")
                .then().statusCode(404).body("code", equalTo("device-group-not-found"));
        Api.viewer().get("/api/v1/device-groups/nosuch/devices").then().statusCode(404).body("code", equalTo("device-group-not-found"));
    }

    @Test
    void permissionsFollowTheDevicePermissions() {
        String name = Api.uniqueName("perm");
        // a viewer reads but does not create; a publisher (devices:update) creates but does not delete
        Api.viewer().contentType(ContentType.JSON).body(group(name, "tag==a")).post("/api/v1/device-groups").then().statusCode(403);
        Api.publisher().contentType(ContentType.JSON).body(group(name, "tag==a")).post("/api/v1/device-groups").then().statusCode(201);
        Api.viewer().contentType(ContentType.JSON).body(Map.of("filter", "tag==b")).put("/api/v1/device-groups/{n}", name)
                .then().statusCode(403);
        Api.publisher().delete("/api/v1/device-groups/{n}", name).then().statusCode(403);
        Api.viewer().delete("/api/v1/device-groups/{n}", name).then().statusCode(403);
        Api.viewer().get("/api/v1/device-groups/{n}", name).then().statusCode(200);
        Api.as("not-a-token").get("/api/v1/device-groups").then().statusCode(401);
        Api.as("not-a-token").get("/api/v1/devices/count").then().statusCode(401);
    }

    @Test
    void aBadFilterInTheDeviceListNamesTheParameterAndOffset() {
        Api.viewer().queryParam("q", "tag==a;lastSeen=lt=yesterday").get("/api/v1/devices").then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("invalid-filter")).body("parameter", equalTo("q"))
                .body("offset", equalTo(19)).body("detail", containsString("'yesterday'"));
        Api.viewer().queryParam("q", "(tag==a").get("/api/v1/devices/count").then().statusCode(400)
                .body("code", equalTo("invalid-filter")).body("offset", equalTo(7));
        Api.viewer().queryParam("q", "installed.no-such-model==1.0.0").get("/api/v1/devices/count").then().statusCode(400)
                .body("offset", equalTo(10)).body("detail", containsString("no model 'no-such-model'"));
        Api.viewer().queryParam("status", "sleeping").get("/api/v1/devices").then().statusCode(400)
                .body("code", equalTo("invalid-parameter")).body("parameter", equalTo("status"));
        Api.viewer().queryParam("colour", "red").get("/api/v1/devices/count").then().statusCode(400)
                .body("code", equalTo("unknown-query-parameter"));
        Api.viewer().get("/api/v1/devices/count").then().statusCode(200).body("count", not(nullValue()));
    }
}
