package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Signing in to the console: the first thing every user does, and the proof that the browser kit works. */
class ConsoleSignInE2ETest {

    @RegisterExtension
    static final ConsoleBrowser browser = new ConsoleBrowser("e2e_console_signin");

    @Test
    void theSignInPageIsAccessibleAndReachableByKeyboard() {
        browser.openSignIn();
        assertEquals("Sign in to Modelyard", browser.heading("Sign in to Modelyard").getText());
        browser.field("API token");
        browser.field("Tenant");
        browser.screenshot("signin");
        browser.axe("signin");
        browser.assertSkipLinkFirst();
        browser.size(ConsoleBrowser.TABLET);
        browser.screenshot("signin-tablet");
        browser.axe("signin-tablet");
    }

    @Test
    void aWrongTokenShowsTheServersReason() throws Exception {
        String reason = serverReason("myd_not-a-token-of-this-server-0000");
        // The browser logs the refused request (401) as an error: that one is what this test provokes.
        browser.allowConsoleError("/api/v1/session - Failed to load resource: the server responded with a status of 401");
        browser.openSignIn();
        browser.field("API token").sendKeys("myd_not-a-token-of-this-server-0000");
        browser.button("Sign in").click();
        String alert = browser.alertText();
        assertTrue(alert.contains(reason), "the alert names the server's reason '" + reason + "': " + alert);
        assertTrue(alert.contains("Check that you copied all of it"), alert);
        assertEquals("true", browser.field("API token").getAttribute("aria-invalid"));
        browser.screenshot("signin-wrong-token");
        browser.axe("signin-wrong-token");
        assertTrue(browser.headings("Sign in to Modelyard").size() == 1, "still on the sign-in page");
    }

    @Test
    void theAdminTokenSignsInAndSignsOut() {
        browser.signIn(browser.adminToken());
        String text = browser.bodyText();
        assertTrue(text.contains("admin"), "the header names the token's role: " + text);
        assertTrue(browser.link("Models").isDisplayed());
        browser.screenshot("signed-in");
        browser.axe("signed-in");
        browser.assertSkipLinkFirst();
        browser.button("Sign out").click();
        browser.waitFor("the sign-in form after signing out", () -> !browser.headings("Sign in to Modelyard").isEmpty());
        assertFalse(browser.bodyText().contains("Sign out"));
    }

    /** What the server itself answers for a token it does not know (the problem's detail). */
    private static String serverReason(String token) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(browser.uri("/api/v1/session"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), r.body());
        JsonNode problem = new ObjectMapper().readTree(r.body());
        return problem.get("detail").asText();
    }
}
