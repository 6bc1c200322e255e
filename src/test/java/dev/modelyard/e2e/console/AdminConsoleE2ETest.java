package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The shell and the Trust & admin pages in a real browser against the packaged server: signing in (a tenant
 * mismatch refused with the server's reason, success, sign out, a revoked token sent back to sign-in), the
 * expiry banner and the not-found page; issuing and revoking a token, a custom role (and the refusal to delete
 * one in use), the audit log's filter, CSV export and chain check, tenants as the system administrator, the
 * trust page with a publisher key; and a viewer who sees none of the admin write buttons. Every page is
 * screenshotted and checked with axe-core.
 */
class AdminConsoleE2ETest {

    @RegisterExtension
    static final ConsoleBrowser browser = new ConsoleBrowser("e2e_console_admin");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    // ---- signing in and the shell ---------------------------------------------------------------

    @Test
    void aTokenOfAnotherTenantIsRefusedWithTheServersReason() {
        browser.allowConsoleError("/api/v1/session - Failed to load resource: the server responded with a status of 403");
        browser.openSignIn();
        browser.field("API token").sendKeys(browser.adminToken());
        browser.field("Tenant").sendKeys("team-elsewhere");
        browser.button("Sign in").click();
        String alert = browser.alertText();
        assertTrue(alert.contains("is not the tenant of this API token"), "the server's reason: " + alert);
        assertTrue(alert.contains("tenant-mismatch"), alert);
        assertTrue(alert.contains("Use a token of the tenant you meant"), "the advice: " + alert);
        browser.screenshot("signin-tenant-mismatch");
        browser.axe("signin-tenant-mismatch");
    }

    @Test
    void signingInWithTheRightTenantShowsTheShellAndSigningOutLeavesIt() {
        browser.signIn(browser.adminToken(), "default");
        String header = browser.driver().findElement(By.cssSelector("header")).getText();
        assertTrue(header.contains("bootstrap-admin") && header.contains("system-admin"), "tenant, token and role: " + header);
        assertTrue(browser.link("Trust & admin").isDisplayed());
        browser.open("#/admin/tokens");
        browser.navigateBy(() -> browser.link("Overview").click());
        assertEquals("page", browser.link("Trust & admin").getAttribute("aria-current"));
        assertEquals("Trust & admin", browser.js("return document.activeElement.textContent.trim();"),
                "focus moved to the page's heading");
        browser.screenshot("admin-overview");
        browser.axe("admin-overview");
        browser.size(ConsoleBrowser.TABLET);
        browser.screenshot("admin-overview-tablet");
        browser.axe("admin-overview-tablet");
        browser.size(ConsoleBrowser.LAPTOP);
        browser.button("Sign out").click();
        browser.waitFor("the sign-in form after signing out", () -> !browser.headings("Sign in to Modelyard").isEmpty());
        assertEquals(null, browser.js("return sessionStorage.getItem('modelyard.session') || localStorage.getItem('modelyard.session');"));
    }

    @Test
    void aTokenRevokedWhileSignedInReturnsToSignInWithTheReason() throws Exception {
        JsonNode token = issue("revoked-later", "admin", Instant.now().plus(3, ChronoUnit.DAYS));
        browser.signIn(token.get("token").asText());
        browser.open("#/admin");
        String banner = browser.driver().findElement(By.cssSelector(".banner")).getText();
        assertTrue(banner.contains("Your token expires in"), "the expiry banner: " + banner);
        browser.screenshot("expiry-banner");
        api("DELETE", "/api/v1/tokens/" + token.get("id").asText(), browser.adminToken(), null);
        browser.allowConsoleError("Failed to load resource: the server responded with a status of 401");
        browser.go("#/admin/tokens");
        browser.waitFor("the sign-in page after the token was revoked", () -> !browser.headings("Sign in to Modelyard").isEmpty());
        String alert = browser.alertText();
        assertTrue(alert.contains("unknown, expired or revoked"), "the server's reason: " + alert);
    }

    @Test
    void anUnknownAddressShowsNotFound() {
        browser.signIn(browser.adminToken());
        browser.open("#/no-such-page");
        browser.heading("Page not found");
        browser.link("Go to the start page");
        browser.screenshot("not-found");
        browser.axe("not-found");
    }

    // ---- tokens -------------------------------------------------------------------------------

    @Test
    void anAdminIssuesATokenSeesItsSecretOnceAndRevokesIt() throws Exception {
        String name = "ci-" + COUNTER.incrementAndGet();
        browser.signIn(browser.adminToken());
        browser.open("#/admin/tokens");
        browser.field("Name").sendKeys(name);
        new Select(browser.field("Role")).selectByValue("publisher");
        browser.field("Model scope").sendKeys("vision-*");
        browser.button("Issue token").click();
        browser.heading("Token " + name + " issued");
        String secret = browser.driver().findElement(By.cssSelector("[data-testid=issued-token]")).getText();
        assertTrue(secret.startsWith("myd_"), secret);
        assertTrue(browser.bodyText().contains("it is shown only this once"));
        browser.button("Copy token");
        browser.screenshot("tokens-issued");
        browser.axe("tokens-issued");
        JsonNode session = JSON.readTree(api("GET", "/api/v1/session", secret, null).body());
        assertEquals("publisher", session.at("/token/role").asText());
        assertEquals("vision-*", session.at("/token/scope").asText());

        browser.button("I have stored it").click();
        browser.button("Revoke token " + name).click();
        browser.heading("Revoke token " + name + "?");
        browser.screenshot("tokens-revoke-confirm");
        browser.button("Revoke token").click();
        browser.waitFor("the token gone from the active list", () -> browser.buttons("Revoke token " + name).isEmpty());
        assertEquals(401, api("GET", "/api/v1/session", secret, null).statusCode());
        browser.screenshot("tokens");
        browser.axe("tokens");
    }

    // ---- roles --------------------------------------------------------------------------------

    @Test
    void anAdminCreatesACustomRoleAndCannotDeleteItWhileATokenCarriesIt() throws Exception {
        String role = "release-bot-" + COUNTER.incrementAndGet();
        browser.signIn(browser.adminToken());
        browser.open("#/admin/roles");
        browser.button("New custom role").click();
        browser.field("Name").sendKeys(role);
        browser.field("Description").sendKeys("moves aliases from CI");
        browser.driver().findElement(By.cssSelector("input[value='models:read']")).click();
        browser.driver().findElement(By.cssSelector("input[value='models:update']")).click();
        browser.screenshot("roles-editor");
        browser.axe("roles-editor");
        browser.button("Create role").click();
        browser.waitFor("the new role in the table", () -> !browser.buttons("Delete role " + role).isEmpty());
        JsonNode created = JSON.readTree(api("GET", "/api/v1/roles/" + role, browser.adminToken(), null).body());
        assertEquals(List.of("models:read", "models:update"), list(created.get("permissions")));

        issue("bot-" + COUNTER.incrementAndGet(), role, null);
        browser.allowConsoleError("/api/v1/roles/" + role + " - Failed to load resource: the server responded with a status of 409");
        browser.button("Delete role " + role).click();
        browser.button("Delete role").click();
        String alert = browser.alertText();
        assertTrue(alert.contains("role-in-use"), alert);
        assertTrue(alert.contains("Revoke them"), "what to do: " + alert);
        browser.screenshot("roles-in-use");
        browser.axe("roles");
    }

    // ---- audit --------------------------------------------------------------------------------

    @Test
    void theAuditLogFiltersOnTheServerExportsTheFilterAsCsvAndVerifiesTheChain() throws Exception {
        for (int i = 0; i < 3; i++) issue("audited-" + COUNTER.incrementAndGet(), "viewer", null);
        browser.signIn(browser.adminToken());
        browser.open("#/admin/audit");
        browser.field("Target type").sendKeys("tokens");
        browser.field("Action").sendKeys("POST /api/v1/tokens");
        browser.button("Apply filter").click();
        browser.waitFor("the filter in the address", () -> browser.driver().getCurrentUrl().contains("targetType=tokens"));
        browser.waitFor("only token creations listed", () -> {
            List<WebElement> rows = browser.driver().findElements(By.cssSelector("tbody tr"));
            return !rows.isEmpty() && rows.stream().allMatch(r -> r.getText().contains("POST /api/v1/tokens"));
        });
        long total = JSON.readTree(api("GET", "/api/v1/audit?targetType=tokens&action=POST%20/api/v1/tokens",
                browser.adminToken(), null).body()).get("total").asLong();
        assertTrue(total >= 3, "entries: " + total);
        browser.waitForText(total + " entries match");
        browser.screenshot("audit-filtered");
        browser.axe("audit-filtered");

        // The CSV the page saves: taken from the Blob it hands to the download link.
        browser.js("window.__csv = null; const make = URL.createObjectURL;"
                + " URL.createObjectURL = b => { b.text().then(t => { window.__csv = t; }); return make.call(URL, b); };");
        browser.button("Export CSV").click();
        String csv = browser.waitFor("the exported CSV", () -> (String) browser.js("return window.__csv;"));
        // CRLF as the server writes it (WebDriver may hand the text back with LF only).
        List<String> lines = Arrays.stream(csv.split("\r?\n")).filter(l -> !l.isEmpty()).toList();
        assertEquals("seq,at,actorId,actorName,action,targetType,targetId,outcome,requestId,source,before,after,prevHash,hash",
                lines.get(0));
        assertEquals(total, lines.size() - 1, csv);
        for (String line : lines.subList(1, lines.size())) {
            assertTrue(line.contains(",POST /api/v1/tokens,tokens,"), line);
        }
        browser.waitForText("entries,");

        browser.button("Verify chain").click();
        browser.waitForText("The chain is intact");
        browser.screenshot("audit-verified");
        browser.axe("audit-verified");
    }

    // ---- tenants ------------------------------------------------------------------------------

    @Test
    void theSystemAdminCreatesATenantWhoseAdminSignsInAndDisablesIt() throws Exception {
        String id = "team-" + COUNTER.incrementAndGet();
        browser.signIn(browser.adminToken());
        browser.open("#/admin/tenants");
        browser.field("Id").sendKeys(id);
        browser.field("Name").sendKeys("Team " + id);
        browser.button("Create tenant").click();
        browser.heading("Tenant " + id + " created");
        String secret = browser.driver().findElement(By.cssSelector("[data-testid=tenant-admin-token]")).getText();
        browser.screenshot("tenants-created");
        browser.axe("tenants-created");
        browser.button("I have stored it").click();

        browser.button("Disable tenant " + id).click();
        browser.field("Type").sendKeys(id);
        browser.button("Disable tenant").click();
        browser.waitFor("the tenant disabled", () -> !browser.buttons("Enable tenant " + id).isEmpty());
        assertEquals(401, api("GET", "/api/v1/session", secret, null).statusCode());
        browser.button("Enable tenant " + id).click();
        browser.button("Enable tenant").click();
        browser.waitFor("the tenant enabled", () -> !browser.buttons("Disable tenant " + id).isEmpty());
        browser.screenshot("tenants");
        browser.axe("tenants");

        browser.signIn(secret, id);
        String header = browser.driver().findElement(By.cssSelector("header")).getText();
        assertTrue(header.contains("Team " + id) && header.contains("admin"), header);
        browser.open("#/admin");
        List<String> tabs = browser.driver().findElements(By.cssSelector("nav.subnav a")).stream().map(WebElement::getText).toList();
        assertTrue(tabs.contains("API tokens") && !tabs.contains("Tenants"), "a tenant's admin does not manage tenants: " + tabs);
    }

    // ---- trust and settings -------------------------------------------------------------------

    @Test
    void theTrustPageSaysWhatToDoAndManagesPublisherKeys() throws Exception {
        browser.signIn(browser.adminToken());
        browser.open("#/admin/trust");
        String text = browser.bodyText();
        assertTrue(text.contains("No root of trust has been uploaded") && text.contains("modelyard root init"),
                "a fresh server has no root, and the page says what to do: " + text);
        String releaseKey = JSON.readTree(api("GET", "/api/v1/trust/status", browser.adminToken(), null).body())
                .get("releaseKeyId").asText();
        assertTrue(text.contains(releaseKey), "the release key id " + releaseKey);

        KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
        byte[] x509 = ed.generateKeyPair().getPublic().getEncoded();
        String raw = Base64.getEncoder().encodeToString(Arrays.copyOfRange(x509, x509.length - 32, x509.length));
        String name = "alice-" + COUNTER.incrementAndGet();
        browser.field("Name").sendKeys(name);
        browser.field("Public key").sendKeys(raw);
        browser.button("Register key").click();
        browser.button("Revoke publisher key " + name).click();
        browser.button("Revoke key").click();
        browser.waitFor("the key revoked", () -> browser.buttons("Revoke publisher key " + name).isEmpty());
        browser.screenshot("trust");
        browser.axe("trust");

        browser.open("#/admin/settings");
        browser.waitFor("the gateway token's button", () -> browser.buttonNames().stream().anyMatch(n -> n.startsWith("Issue a")));
        (browser.buttons("Issue a gateway token").isEmpty() ? browser.button("Issue a new gateway token")
                : browser.button("Issue a gateway token")).click();
        browser.button("Issue gateway token").click();
        String gateway = browser.waitFor("the gateway token", () -> browser.driver()
                .findElements(By.cssSelector("[data-testid=gateway-token]")).stream().map(WebElement::getText).findFirst().orElse(null));
        assertTrue(gateway.length() > 20, gateway);
        browser.screenshot("settings");
        browser.axe("settings");
    }

    // ---- a viewer -----------------------------------------------------------------------------

    @Test
    void aViewerSeesTheTrustPagesButNoAdminWriteButton() throws Exception {
        String viewer = issue("viewer-" + COUNTER.incrementAndGet(), "viewer", null).get("token").asText();
        browser.signIn(viewer);
        List<String> found = new ArrayList<>();
        for (String route : List.of("#/admin", "#/admin/trust", "#/admin/settings")) {
            browser.open(route);
            browser.screenshot("viewer-" + route.replaceAll("[^a-z]+", "-"));
            for (String name : browser.buttonNames()) {
                if (ViewerConsoleE2ETest.isWrite(name)) found.add(route + ": '" + name + "'");
            }
            browser.checkConsole();
        }
        assertEquals(List.of(), found, "write buttons a viewer cannot use");
        for (String route : List.of("#/admin/tokens", "#/admin/roles", "#/admin/audit", "#/admin/tenants")) {
            browser.open(route);
            assertTrue(browser.bodyText().contains("does not hold"), route + " says which permission it needs");
        }
        browser.open("#/admin");
        assertFalse(browser.bodyText().contains("API tokens"), "the overview shows only the viewer's areas");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static JsonNode issue(String name, String role, Instant expiresAt) throws Exception {
        var body = JSON.createObjectNode().put("name", name).put("role", role);
        if (expiresAt != null) body.put("expiresAt", expiresAt.toString());
        HttpResponse<String> r = api("POST", "/api/v1/tokens", browser.adminToken(), body.toString());
        assertEquals(201, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> api(String method, String path, String token, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(browser.uri(path)).header("Authorization", "Bearer " + token);
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> list(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
