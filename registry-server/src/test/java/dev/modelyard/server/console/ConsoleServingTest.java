package dev.modelyard.server.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.response.Response;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The web console as the server answers it: redirects, security headers, revalidation, the library, 404s. */
@QuarkusTest
class ConsoleServingTest {

    @Inject
    ConsoleRoutes routes;

    @Test
    void theTagsAreFixedAtStartUpAndMissingPathsAddNothing() {
        int tagged = routes.tagged();
        assertTrue(tagged > 10, "every packaged console file has a tag: " + tagged);
        assertTrue(routes.etag("lib/api.js").isPresent() && routes.etag("").isPresent());
        for (int i = 0; i < 300; i++) {
            given().get("/console/missing-" + i + ".js").then().statusCode(404);
            given().get("/console/lib/nowhere-" + i + ".css").then().statusCode(404);
        }
        assertEquals(tagged, routes.tagged(), "requests for files that do not exist must not grow the map");
    }

    @Test
    void theHttpMetricsCountTheConsoleAsOneUri() {
        given().get("/console/app.js").then().statusCode(200);
        given().get("/console/lib/api.js").then().statusCode(200);
        given().get("/console/missing-for-metrics.js").then().statusCode(404);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("uri=\"" + ConsoleRoutes.METRICS_URI + "\""), "console requests are one uri");
        assertTrue(!metrics.contains("app.js") && !metrics.contains("lib/api.js") && !metrics.contains("missing-for-metrics"),
                "no series names a console file");
    }

    private static void hasSecurityHeaders(Response r) {
        r.then().header("Content-Security-Policy", equalTo(ConsoleRoutes.CSP))
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Frame-Options", "DENY");
    }

    @Test
    void rootAndBareConsoleRedirectToTheConsole() {
        given().redirects().follow(false).get("/").then().statusCode(302).header("Location", endsWith("/console/"));
        given().redirects().follow(false).get("/console").then().statusCode(302).header("Location", endsWith("/console/"));
    }

    @Test
    void consoleFilesCarryTheSecurityHeadersAndRevalidate() {
        for (String path : new String[] {"/console/", "/console/index.html", "/console/app.js", "/console/app.css",
                "/console/lib/vendor.js"}) {
            Response r = given().get(path);
            r.then().statusCode(200).header("Cache-Control", "no-cache").header("ETag", notNullValue());
            hasSecurityHeaders(r);
        }
        given().get("/console/").then().contentType(containsString("text/html")).body(containsString("app.js"));
        given().get("/console/app.js").then().contentType(containsString("javascript"));
    }

    @Test
    void anUnchangedFileIsA304AndAChangedOneIsNot() {
        Response first = given().get("/console/app.js");
        String etag = first.header("ETag");
        given().header("If-None-Match", etag).get("/console/app.js").then().statusCode(304)
                .header("ETag", etag).header("Cache-Control", "no-cache").header("Content-Security-Policy", ConsoleRoutes.CSP);
        // Another file's tag (what a browser holds after an upgrade changed the file) gets the file, whatever the date says.
        String lastModified = first.header("Last-Modified");
        var stale = given().header("If-None-Match", "\"0123456789abcdef0123456789abcdef\"");
        if (lastModified != null) stale = stale.header("If-Modified-Since", lastModified);
        stale.get("/console/app.js").then().statusCode(200).body(containsString("import"));
        // The index page by its directory address has the same tag as by its name.
        String index = given().get("/console/index.html").header("ETag");
        given().header("If-None-Match", index).get("/console/").then().statusCode(304);
    }

    @Test
    void litHtmlIsServedFromItsJarAndStaysImmutable() {
        String vendor = given().get("/console/lib/vendor.js").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("/_static/lit-html/([0-9][^/]*)/lit-html\\.js").matcher(vendor);
        assertTrue(m.find(), "vendor.js names the lit-html version (filtered from the pom): " + vendor);
        given().get("/_static/lit-html/" + m.group(1) + "/lit-html.js").then().statusCode(200)
                .contentType(containsString("javascript")).header("Cache-Control", containsString("immutable"));
        given().get("/_static/lit-html/" + m.group(1) + "/directives/repeat.js").then().statusCode(200);
    }

    @Test
    void anUnknownConsoleFileIs404WithTheHeaders() {
        Response r = given().get("/console/no-such-file.js");
        r.then().statusCode(404).header("Cache-Control", not("public, immutable, max-age=86400"));
        hasSecurityHeaders(r);
        given().get("/console/pages/../../q/openapi").then().statusCode(not(equalTo(500)));
    }

    @Test
    void queryStringsOnConsoleFilesAreNotRefused() {
        // The strict-query filter is the REST API's: a cache-busting query on a static file is served.
        given().get("/console/app.css?v=2").then().statusCode(200).header("Content-Security-Policy", ConsoleRoutes.CSP);
    }
}
