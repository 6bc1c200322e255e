package dev.modelyard.server.tenant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two tenants with one of everything: every operation of the OpenAPI document, called with
 * tenant B's credentials on tenant A's resources, is refused and shows nothing of A; lists,
 * filters and searches show none of A's names; every DDI path of A refuses B's device token, B's
 * gateway token and A's own device token under B's path.
 */
@QuarkusTest
class TenantIsolationTest {

    private static final Path DOCUMENT = Path.of("..", "docs", "openapi", "openapi.json");
    private static final List<String> VERBS = List.of("get", "head", "post", "put", "patch", "delete");
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    private static Teams.Team a;
    private static Teams.Team b;

    private static synchronized void teams() {
        if (a == null) {
            a = Teams.team("iso-a");
            b = Teams.team("iso-b");
        }
    }

    @Test
    void everyManagementOperationWithAnotherTenantsTokenIsRefusedAndShowsNothing() throws IOException {
        teams();
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (String[] op : operations()) {
            String verb = op[0];
            String template = op[1];
            if (template.startsWith("/{tenant}") || template.startsWith("/api/v1/tenants") || template.startsWith("/api/v1/settings")) {
                continue;
            }
            String path = fill(template, a);
            boolean namesAResource = path.contains("{") || PARAM.matcher(template).find();
            RequestSpecification req = b.as().contentType(ContentType.JSON);
            if (!verb.equals("GET") && !verb.equals("HEAD") && !verb.equals("DELETE")) req = req.body("{}");
            Response r = req.request(verb, path);
            checked++;
            int status = r.statusCode();
            String body = r.asString();
            for (String secret : secretsOf(a)) {
                // An error may repeat what the request named; anything else of A is a leak.
                if (body.contains(secret) && !path.contains(secret)) failures.add(verb + " " + path + " as B shows A's '" + secret + "': " + body);
            }
            // Profiles are named per tenant: B may create its own profile of the same name, which A never sees.
            boolean createsOwn = verb.equals("PUT") && template.equals("/api/v1/conversion/profiles/{name}");
            if (namesAResource && !createsOwn && status < 400) {
                failures.add(verb + " " + path + " as B: " + status + " (A's resource reached) " + body);
            }
            if (status >= 500) failures.add(verb + " " + path + " as B: " + status + " " + body);
        }
        assertTrue(checked > 60, "the document lists the operations: " + checked);
        if (!failures.isEmpty()) fail(failures.size() + " isolation failures:\n" + String.join("\n", failures));
        everythingOfAIsIntact();
    }

    @Test
    void listsFiltersAndSearchesShowNothingOfAnotherTenant() {
        teams();
        for (String path : List.of("/api/v1/models", "/api/v1/devices", "/api/v1/actions", "/api/v1/conversion/jobs",
                "/api/v1/conversion/profiles", "/api/v1/tokens", "/api/v1/publisher-keys", "/api/v1/trust/roots",
                "/rest/v1/targets", "/rest/v1/softwaremodules", "/rest/v1/distributionsets", "/rest/v1/targetfilters",
                "/api/v1/rollouts", "/api/v1/device-groups")) {
            String body = b.as().get(path).then().extract().asString();
            for (String secret : secretsOf(a)) assertFalse(body.contains(secret), path + " as B shows A's " + secret + ": " + body);
        }
        b.as().queryParam("label", "team:" + a.tenant()).get("/api/v1/models").then().statusCode(200).body("total", equalTo(0));
        b.as().queryParam("q", a.model()).get("/api/v1/models").then().statusCode(200).body("total", equalTo(0));
        b.as().queryParam("q", a.controllerId()).get("/api/v1/devices").then().statusCode(200).body("total", equalTo(0));
        b.as().queryParam("tag", "fleet").get("/api/v1/devices").then().statusCode(200).body("total", equalTo(1));
        b.as().queryParam("q", "controllerId==" + a.controllerId()).get("/rest/v1/targets").then().statusCode(200)
                .body("total", equalTo(0));
        // hawkBit's module list takes no query here: B sees exactly its own two versions.
        b.as().get("/rest/v1/softwaremodules").then().statusCode(200).body("total", equalTo(2));
        // A deployment to A's tag from B reaches only B's devices.
        b.as().contentType(ContentType.JSON).body(Map.of("model", a.model(), "version", "1.0.0", "tag", "fleet"))
                .post("/api/v1/deployments").then().statusCode(404);
        // B's rollouts and groups are its own only; A's are in A's lists.
        b.as().get("/api/v1/rollouts").then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(Long.valueOf(a.values().get("rolloutId")).intValue())))
                .body("items.id", org.hamcrest.Matchers.hasItem(Long.valueOf(b.values().get("rolloutId")).intValue()));
        a.as().get("/api/v1/rollouts").then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.hasItem(Long.valueOf(a.values().get("rolloutId")).intValue()));
        b.as().get("/api/v1/device-groups").then().statusCode(200)
                .body("items.name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(a.values().get("group"))))
                .body("items.name", org.hamcrest.Matchers.hasItem(b.values().get("group")));
        // A's own views still show A's things: the filters are scoping, not hiding.
        a.as().queryParam("q", a.controllerId()).get("/api/v1/devices").then().statusCode(200).body("total", equalTo(1));
    }

    @Test
    void everyDdiPathOfATenantRefusesTheOtherTenantsCredentials() throws IOException {
        teams();
        String own = "/" + a.tenant() + "/controller/v1/" + a.controllerId();
        // Positive controls: A's own credentials work on A's paths.
        Teams.device("TargetToken", a.deviceToken()).accept("application/hal+json").get(own).then().statusCode(200);
        Teams.device("GatewayToken", a.gatewayToken()).accept("application/hal+json").get(own).then().statusCode(200);
        List<String> failures = new ArrayList<>();
        for (String[] op : operations()) {
            if (!op[1].startsWith("/{tenant}")) continue;
            String path = fill(op[1], a);
            String foreignPath = path.replaceFirst("^/" + Pattern.quote(a.tenant()) + "/", "/" + b.tenant() + "/");
            List<Object[]> attempts = List.of(
                    new Object[] {"TargetToken", b.deviceToken(), path},
                    new Object[] {"GatewayToken", b.gatewayToken(), path},
                    new Object[] {"TargetToken", a.deviceToken(), foreignPath},
                    new Object[] {"GatewayToken", a.gatewayToken(), foreignPath});
            for (Object[] at : attempts) {
                RequestSpecification req = Teams.device((String) at[0], (String) at[1]).contentType(ContentType.JSON);
                if (op[0].equals("POST") || op[0].equals("PUT")) req = req.body("{}");
                Response r = req.request(op[0], (String) at[2]);
                if (r.statusCode() != 401) {
                    failures.add(op[0] + " " + at[2] + " with " + at[0] + " of the other tenant: " + r.statusCode() + " " + r.asString());
                }
            }
        }
        if (!failures.isEmpty()) fail(String.join("\n", failures));
        // The default tenant's configured gateway token is the default tenant's only.
        Teams.device("GatewayToken", dev.modelyard.server.TestServer.GATEWAY_TOKEN).get(own).then().statusCode(401).body(emptyString());
    }

    @Test
    void theSameNamesLiveSideBySideInTwoTenants() {
        // Teams of their own: B's audit trail will hold A's names, which the sweep above would rightly call a leak.
        Teams.Team a = Teams.team("same-a");
        Teams.Team b = Teams.team("same-b");
        b.as().contentType(ContentType.JSON).body(Map.of("name", a.model())).post("/api/v1/models").then().statusCode(201);
        b.as().contentType(ContentType.JSON).body(Map.of("controllerId", a.controllerId())).post("/api/v1/devices")
                .then().statusCode(201);
        b.as().get("/api/v1/models/{m}/versions", a.model()).then().statusCode(200).body("total", equalTo(0));
        a.as().get("/api/v1/models/{m}/versions", a.model()).then().statusCode(200).body("total", equalTo(2));
        b.as().delete("/api/v1/models/{m}", a.model()).then().statusCode(204);
        b.as().delete("/api/v1/devices/{c}", a.controllerId()).then().statusCode(204);
        a.as().get("/api/v1/devices/{c}", a.controllerId()).then().statusCode(200);
    }

    private static void everythingOfAIsIntact() {
        Map<String, String> v = a.values();
        a.as().get("/api/v1/models/{m}", a.model()).then().statusCode(200);
        a.as().get("/api/v1/models/{m}/versions/1.0.0", a.model()).then().statusCode(200).body("status", equalTo("published"));
        a.as().get("/api/v1/models/{m}/versions/1.0.0/artifacts/{id}", a.model(), v.get("artifact")).then().statusCode(200);
        a.as().get("/api/v1/models/{m}/aliases", a.model()).then().statusCode(200);
        a.as().get("/api/v1/models/{m}/versions/2.0.0/uploads/{id}", a.model(), v.get("upload")).then().statusCode(200);
        a.as().get("/api/v1/devices/{c}", a.controllerId()).then().statusCode(200);
        a.as().get("/api/v1/actions/{id}", v.get("actionId")).then().statusCode(200);
        a.as().get("/api/v1/conversion/profiles/{n}", v.get("name")).then().statusCode(200);
        a.as().get("/rest/v1/targetfilters/{id}", v.get("filterId")).then().statusCode(200);
        a.as().get("/api/v1/tokens").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(a.tokenId()));
        a.as().get("/api/v1/rollouts/{id}", v.get("rolloutId")).then().statusCode(200)
                .body("name", equalTo(v.get("rolloutName"))).body("state", equalTo("draft"));
        a.as().get("/api/v1/device-groups/{n}", v.get("group")).then().statusCode(200)
                .body("filter", equalTo("controllerId==" + a.controllerId())).body("count", equalTo(1));
    }

    /** What of A no response to B may contain. */
    private static List<String> secretsOf(Teams.Team t) {
        return List.of(t.model(), t.controllerId(), t.values().get("artifact"), t.tokenId(), t.values().get("upload"),
                t.values().get("name"), t.values().get("group"), t.values().get("rolloutName"));
    }

    private static String fill(String template, Teams.Team t) {
        Matcher m = PARAM.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(value(template, m.group(1), t)));
        m.appendTail(out);
        return out.toString();
    }

    private static String value(String template, String param, Teams.Team t) {
        Map<String, String> v = t.values();
        if (param.equals("id")) {
            if (template.startsWith("/api/v1/actions")) return v.get("actionId");
            if (template.startsWith("/api/v1/conversion/jobs")) return v.get("job");
            if (template.contains("/uploads/")) return v.get("upload");
            if (template.startsWith("/api/v1/tokens")) return v.get("tokenId");
            if (template.startsWith("/api/v1/rollouts")) return v.get("rolloutId");
            return UUID.randomUUID().toString();
        }
        if (param.equals("version") && template.startsWith("/api/v1/trust")) return "1";
        if (param.equals("name") && template.startsWith("/api/v1/device-groups")) return v.get("group");
        if (param.equals("actionId") && template.startsWith("/rest/v1")) return v.get("actionId");
        String value = v.get(param);
        if (value == null) throw new IllegalStateException("no value for {" + param + "} in " + template);
        return value;
    }

    private static List<String[]> operations() throws IOException {
        JsonNode doc = new ObjectMapper().readTree(DOCUMENT.toFile());
        List<String[]> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            for (String verb : VERBS) {
                if (p.getValue().has(verb)) out.add(new String[] {verb.toUpperCase(Locale.ROOT), p.getKey()});
            }
        }
        // Deletions last: were one wrongly allowed, it should not hide what the other operations would show.
        out.sort(java.util.Comparator.comparing(o -> o[0].equals("DELETE")));
        return out;
    }
}
