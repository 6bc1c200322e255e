package dev.modelyard.server.tenant;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelyard.server.Api;
import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.Expectations;
import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.Signer;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerificationException;
import dev.modelyard.wire.trust.Verifier;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What tenants share is the server: a tenant's admin cannot run programs on it, anonymous readers
 * of a tenant's trust root get that tenant's, and device tokens are a tenant's own, so one tenant
 * learns nothing about another's tokens.
 */
@QuarkusTest
class TenantSharedServerTest {

    private static Teams.Team b;

    private static synchronized Teams.Team b() {
        if (b == null) b = Teams.team("shared");
        return b;
    }

    private static Map<String, Object> command() {
        return Map.of("type", "command", "command", List.of("/bin/sh", "-c", "cat /proc/$PPID/environ > {output}"),
                "timeoutSeconds", 10, "outputFormat", "onnx");
    }

    @Test
    void anotherTenantsAdminCannotDefineCommandStepsUnlessTheOperatorAllowedPrograms() {
        Map<String, Object> target = Map.of("format", "onnx");
        b().as().contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("environ"), "steps", List.of(command()), "target", target))
                .post("/api/v1/conversion/profiles").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("commands-not-allowed"));
        b().as().contentType(ContentType.JSON)
                .body(Map.of("name", "environ", "steps", List.of(command()), "target", target))
                .post("/api/v1/models/{m}/versions/1.0.0/conversions", b().model()).then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("commands-not-allowed"));
        // The default tenant's admins operate the server: for them nothing changes.
        Api.admin().contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("copy"), "target", target, "steps", List.of(Map.of("type", "command",
                        "command", List.of("/bin/cp", "{input}", "{output}"), "timeoutSeconds", 10, "outputFormat", "onnx"))))
                .post("/api/v1/conversion/profiles").then().statusCode(201);
    }

    @Test
    void anAnonymousReaderGetsTheTrustRootOfTheTenantItNames() throws Exception {
        Teams.Team team = b();
        String key = team.as().get("/api/v1/trust/status").then().statusCode(200).extract().path("releasePublicKey");
        PublicKey release = Ed25519.publicKeyFromRaw(Base64.getDecoder().decode(key));
        KeyPair rootKey = Ed25519.generate();
        SignedEnvelope root = Signer.of(rootKey).sign(RootMetadata.create(1, Instant.now().plus(365, ChronoUnit.DAYS),
                List.of(rootKey.getPublic()), 1, List.of(release), 1));
        team.as().contentType(ContentType.JSON).body(root.toJson()).post("/api/v1/trust/roots").then().statusCode(201);
        SignedEnvelope release1 = SignedEnvelope.parse(team.as()
                .get("/api/v1/models/{m}/versions/1.0.0/artifacts/model.onnx/signed-metadata", team.model())
                .then().statusCode(200).extract().asString());

        // Provisioned with its tenant's root, as a device of that tenant is, it verifies that tenant's releases.
        String named = RestAssured.given().header("Modelyard-Tenant", team.tenant()).get("/api/v1/trust/roots/latest")
                .then().statusCode(200).extract().asString();
        new Verifier(new TrustStore(SignedEnvelope.parse(named))).verifyRelease(release1, device(team));
        RestAssured.given().header("Modelyard-Tenant", team.tenant()).get("/api/v1/trust/roots/1").then().statusCode(200);
        RestAssured.given().header("Modelyard-Tenant", team.tenant()).get("/api/v1/trust/roots").then().statusCode(200)
                .body("[0].rootKeyIds[0]", equalTo(Ed25519.keyId(rootKey.getPublic())));

        // Without the header the default tenant's root (if it has one) is served, never this one.
        Response unnamed = RestAssured.given().get("/api/v1/trust/roots/latest");
        if (unnamed.statusCode() == 200) {
            assertThrows(VerificationException.class, () -> new Verifier(new TrustStore(SignedEnvelope.parse(unnamed.asString())))
                    .verifyRelease(release1, device(team)));
        } else {
            unnamed.then().statusCode(404);
        }
        RestAssured.given().header("Modelyard-Tenant", Api.uniqueName("nobody")).get("/api/v1/trust/roots/latest")
                .then().statusCode(404).contentType("application/problem+json").body("code", equalTo("tenant-not-found"));
    }

    @Test
    void aDisabledTenantsRootIsNotServed() {
        String id = Api.uniqueName("gone");
        Teams.createTenant(id);
        Teams.systemAdmin().contentType(ContentType.JSON).body(Map.of("enabled", false)).patch("/api/v1/tenants/{id}", id)
                .then().statusCode(200);
        RestAssured.given().header("Modelyard-Tenant", id).get("/api/v1/trust/roots").then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("tenant-not-found"));
    }

    @Test
    void twoTenantsMayChooseTheSameDeviceTokenAndEachWorksUnderItsOwnPathOnly() {
        String token = "a-chosen-device-" + Api.uniqueName("token");
        String own = Api.uniqueName("own");
        String theirs = Api.uniqueName("theirs");
        Api.admin().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", own, "name", own, "securityToken", token)))
                .post("/rest/v1/targets").then().statusCode(201);
        // No 409: whether another tenant uses a token is not this tenant's business.
        b().as().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", theirs, "name", theirs, "securityToken", token)))
                .post("/rest/v1/targets").then().statusCode(201);
        ddi("DEFAULT", own, token).then().statusCode(200);
        ddi(b().tenant(), theirs, token).then().statusCode(200);
        // Asked again (now from the cache), each still answers under its own path only.
        ddi("DEFAULT", own, token).then().statusCode(200);
        ddi(b().tenant(), theirs, token).then().statusCode(200);
        ddi(b().tenant(), own, token).then().statusCode(401);
        ddi("DEFAULT", theirs, token).then().statusCode(401);
        // Within a tenant a token is still one device's.
        String second = Api.uniqueName("second");
        b().as().contentType(ContentType.JSON).body(List.of(Map.of("controllerId", second, "name", second, "securityToken", token)))
                .post("/rest/v1/targets").then().statusCode(409);
    }

    private static Response ddi(String tenant, String controllerId, String token) {
        return RestAssured.given().header("Authorization", "TargetToken " + token).accept("application/hal+json")
                .get("/" + tenant + "/controller/v1/" + controllerId);
    }

    private static Expectations device(Teams.Team team) {
        return new Expectations(team.tenant(), team.model(), new DeviceFacts("x86_64", List.of("cpu"), "onnxruntime", "1.20.0", 4096L, "linux"),
                null, null, Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30);
    }
}
