package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A stock hawkBit client against Modelyard: this test does what rauc-hawkbit-updater does and
 * checks what it checks (its public source and the recorded traffic of it against Modelyard):
 * Accept {@code application/json;charset=UTF-8}, configData with its old-style {@code time} and
 * {@code status} extras and no runtime, a deployment it accepts only with exactly one chunk of
 * exactly one artifact, the link taken from {@code download} else {@code download-http}, the file
 * checked by SHA-1, and feedback with {@code id} and {@code time}. Install, failure, cancel,
 * resume after a cut download (Range), and the gateway token.
 */
@QuarkusTest
class RaucHawkbitUpdaterTest {

    private static final String ACCEPT = "application/json;charset=UTF-8";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");

    /** One rauc-hawkbit-updater instance: its controller id and how it authenticates. */
    record Client(String controllerId, String authorization) {
        RequestSpecification as() {
            return given().header("Authorization", authorization).accept(ACCEPT);
        }

        String path() {
            return "/DEFAULT/controller/v1/" + controllerId;
        }

        JsonPath poll() {
            return as().get(path()).then().statusCode(200).contentType("application/json").extract().jsonPath();
        }

        /** configData as the client sends it: the device's identity, no runtime, plus old-style extras. */
        void configData() {
            as().contentType(ACCEPT).body("{\"time\":\"" + now() + "\",\"status\":{\"result\":{\"finished\":\"success\"},"
                            + "\"execution\":\"closed\"},\"data\":{\"product\":\"Terminator\",\"serialnumber\":\"8922673153\","
                            + "\"model\":\"T-1000\",\"hw_revision\":\"2\",\"mac_address\":\"ff:ff:ff:ff:ff:ff\"}}")
                    .put(path() + "/configData").then().statusCode(200);
        }

        void feedback(String kind, String id, String execution, String finished, String detail) {
            as().contentType(ACCEPT).body("{\"id\":\"" + id + "\",\"time\":\"" + now() + "\",\"status\":{\"result\":{\"finished\":\""
                            + finished + "\"},\"execution\":\"" + execution + "\",\"details\":[\"" + detail + "\"]}}")
                    .post(path() + "/" + kind + "/" + id + "/feedback").then().statusCode(200);
        }
    }

    /** What the client accepts of a deployment, or the failure it reports (its own wording). */
    record Accepted(String actionId, String url, String sha1, long size) {
    }

    private static String now() {
        return LocalDateTime.now(ZoneOffset.UTC).format(TIME);
    }

    static Client provisioned(String prefix) {
        String id = Api.uniqueName(prefix);
        String token = publisher().contentType(ContentType.JSON).body(Map.of("controllerId", id))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        return new Client(id, "TargetToken " + token);
    }

    /** A published version holding one RAUC bundle, uploaded without ?format= (inferred from .raucb). */
    static String bundleVersion(byte[] bundle) {
        String m = Api.createModel("rauc");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "bundle.raucb", bundle, null).then().statusCode(201)
                .body("target.format", equalTo("raucb")).body("target.runtime", equalTo("none"));
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200);
        return m;
    }

    static long assign(String model, Client c) {
        JsonPath a = publisher().contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", "1.0.0", "device", c.controllerId(), "type", "forced"))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath();
        assertEquals(1, a.getInt("assigned"), "a payload needing no runtime fits a client that reports none: " + a.prettify());
        return a.getLong("actions[0].id");
    }

    /** The client's checks on a deployment: one chunk, one artifact, download else download-http. */
    static Accepted accept(Client c, String href) {
        JsonPath d = c.as().get(href).then().statusCode(200).contentType("application/json").extract().jsonPath();
        List<Object> chunks = d.getList("deployment.chunks");
        assertEquals(1, chunks.size(), "rauc-hawkbit-updater: 'Deployment unsupported: cannot handle multiple chunks'");
        List<Object> artifacts = d.getList("deployment.chunks[0].artifacts");
        assertEquals(1, artifacts.size(), "rauc-hawkbit-updater: 'cannot handle multiple artifacts'");
        String url = d.getString("deployment.chunks[0].artifacts[0]._links.download.href");
        if (url == null) url = d.getString("deployment.chunks[0].artifacts[0]._links.download-http.href");
        assertNotNull(url, "no download link");
        return new Accepted(d.getString("id"), url, d.getString("deployment.chunks[0].artifacts[0].hashes.sha1"),
                d.getLong("deployment.chunks[0].artifacts[0].size"));
    }

    static String sha1(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    }

    @Test
    void installsAStockBundle() throws Exception {
        byte[] bundle = Api.randomBytes(300_000, 11);
        String model = bundleVersion(bundle);
        Client c = provisioned("rhu");
        c.poll();
        c.configData();
        long actionId = assign(model, c);

        Response polled = c.as().get(c.path());
        polled.then().statusCode(200).header("Date", org.hamcrest.Matchers.notNullValue());
        Accepted a = accept(c, polled.jsonPath().getString("_links.deploymentBase.href"));
        assertEquals(Long.toString(actionId), a.actionId());
        byte[] got = given().header("Authorization", c.authorization()).accept("application/octet-stream").get(a.url())
                .then().statusCode(200).extract().asByteArray();
        assertEquals(a.size(), got.length);
        assertEquals(a.sha1(), sha1(got), "the client checks the SHA-1");
        c.feedback("deploymentBase", a.actionId(), "proceeding", "none", "Download complete. 1.37 MB/s");
        c.feedback("deploymentBase", a.actionId(), "proceeding", "none", "File checksum OK.");
        c.feedback("deploymentBase", a.actionId(), "proceeding", "none", " 50% Loading manifest file done.");
        c.feedback("deploymentBase", a.actionId(), "closed", "success", "Software bundle installed successfully.");

        viewer().get("/api/v1/actions/{id}", actionId).then().statusCode(200).body("status", equalTo("finished"));
        JsonPath after = c.poll();
        assertNull((Object) after.get("_links.deploymentBase"));
        assertTrue(after.getString("_links.installedBase.href").endsWith("/installedBase/" + actionId));
    }

    @Test
    void reportsAFailedInstall() {
        String model = bundleVersion(Api.randomBytes(2_000, 12));
        Client c = provisioned("rhu-fail");
        c.configData();
        long actionId = assign(model, c);
        Accepted a = accept(c, c.poll().getString("_links.deploymentBase.href"));
        c.feedback("deploymentBase", a.actionId(), "proceeding", "none", "100% Install failed.");
        c.feedback("deploymentBase", a.actionId(), "closed", "failure", "Failed to install software bundle.");
        viewer().get("/api/v1/actions/{id}", actionId).then().statusCode(200).body("status", equalTo("error"));
        assertNull((Object) c.poll().get("_links.deploymentBase"));
    }

    @Test
    void acceptsACancel() {
        String model = bundleVersion(Api.randomBytes(2_000, 13));
        Client c = provisioned("rhu-cancel");
        c.configData();
        long actionId = assign(model, c);
        publisher().post("/api/v1/actions/{id}/cancel", actionId).then().statusCode(200);
        String cancel = c.poll().getString("_links.cancelAction.href");
        String stopId = c.as().get(cancel).then().statusCode(200).extract().path("cancelAction.stopId");
        assertEquals(Long.toString(actionId), stopId);
        c.feedback("cancelAction", stopId, "closed", "success", "Action canceled.");
        viewer().get("/api/v1/actions/{id}", actionId).then().statusCode(200).body("status", equalTo("canceled"));
        JsonPath after = c.poll();
        assertNull((Object) after.get("_links.cancelAction"));
        assertNull((Object) after.get("_links.deploymentBase"));
    }

    @Test
    void resumesACutDownloadWithRange() throws Exception {
        byte[] bundle = Api.randomBytes(200_000, 14);
        String model = bundleVersion(bundle);
        Client c = provisioned("rhu-resume");
        c.configData();
        assign(model, c);
        Accepted a = accept(c, c.poll().getString("_links.deploymentBase.href"));
        // The connection broke after 70,000 bytes: the client asks for the rest (it keeps the partial file).
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(given().header("Authorization", c.authorization()).header("Range", "bytes=0-69999").get(a.url())
                .then().statusCode(206).header("Content-Range", "bytes 0-69999/200000").extract().asByteArray());
        file.write(given().header("Authorization", c.authorization()).header("Range", "bytes=" + file.size() + "-").get(a.url())
                .then().statusCode(206).header("Content-Range", "bytes 70000-199999/200000").extract().asByteArray());
        assertArrayEquals(bundle, file.toByteArray());
        assertEquals(a.sha1(), sha1(file.toByteArray()));
        // Several ranges at once get the whole file (a documented single-range server: RFC 9110 lets it ignore Range).
        assertArrayEquals(bundle, given().header("Authorization", c.authorization()).header("Range", "bytes=0-9,20-29")
                .get(a.url()).then().statusCode(200).extract().asByteArray());
        c.feedback("deploymentBase", a.actionId(), "closed", "success", "Software bundle installed successfully.");
    }

    @Test
    void worksWithTheGatewayToken() throws Exception {
        byte[] bundle = Api.randomBytes(5_000, 15);
        String model = bundleVersion(bundle);
        Client c = new Client(Api.uniqueName("rhu-gw"), "GatewayToken " + TestServer.GATEWAY_TOKEN);
        assertNotNull(c.poll().getString("_links.configData.href"), "the gateway token registers the device on its first poll");
        c.configData();
        long actionId = assign(model, c);
        Accepted a = accept(c, c.poll().getString("_links.deploymentBase.href"));
        byte[] got = given().header("Authorization", c.authorization()).get(a.url()).then().statusCode(200).extract().asByteArray();
        assertEquals(a.sha1(), sha1(got));
        c.feedback("deploymentBase", a.actionId(), "closed", "success", "Software bundle installed successfully.");
        viewer().get("/api/v1/actions/{id}", actionId).then().statusCode(200).body("status", equalTo("finished"));
    }

    @Test
    void behindATlsProxyTheLinksAreHttps() {
        String model = bundleVersion(Api.randomBytes(2_000, 16));
        Client c = provisioned("rhu-tls");
        c.configData();
        assign(model, c);
        String href = c.as().header("X-Forwarded-Proto", "https").get(c.path()).then().statusCode(200)
                .extract().path("_links.deploymentBase.href");
        assertTrue(href.startsWith("https://"), href);
        // The proxy would forward it to us over plain HTTP: ask by path.
        String path = href.replaceFirst("^https://[^/]+", "");
        JsonPath d = c.as().header("X-Forwarded-Proto", "https").get(path).then().statusCode(200).extract().jsonPath();
        assertTrue(d.getString("deployment.chunks[0].artifacts[0]._links.download.href").startsWith("https://"));
        assertTrue(d.getString("deployment.chunks[0].artifacts[0]._links.md5sum.href").endsWith("bundle.raucb.MD5SUM"));
        assertNull(d.get("deployment.chunks[0].artifacts[0]._links.download-http"));
        assertNull(d.get("deployment.chunks[0].artifacts[0]._links.md5sum-http"));
        Accepted a = accept(c, href.replace("https://", "http://"));
        assertTrue(a.url().startsWith("http://"), "over plain HTTP the client takes download-http: " + a.url());
        assertTrue(Arrays.asList(a.url().split("/")).contains("softwaremodules"));
    }
}
