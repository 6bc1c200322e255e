package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A viewer reads everything its role may read and sees no button it could not use: every page of
 * the console (its route table) whose permission the viewer holds is visited against a realistic
 * tenant; none shows a write action, and the browser logs no error (a page that called a write
 * endpoint, or one the viewer may not read, would log a 403).
 */
class ViewerConsoleE2ETest {

    /**
     * The names write actions start with. A button named "Create model" or "Upload…" is one; "Export
     * CSV", "Sign out", "Copy", "Refresh" or "Next page" are not.
     */
    static final List<String> WRITE_ACTIONS = List.of("Create", "New", "Upload", "Publish", "Deprecate", "Revoke",
            "Delete", "Remove", "Start", "Approve", "Pause", "Resume", "Cancel", "Roll back", "Rollback", "Issue",
            "Register", "Deploy", "Assign", "Move alias", "Set alias", "Edit", "Save", "Rotate", "Convert", "Retry",
            "Enable", "Disable", "Rename", "Sync now");

    @RegisterExtension
    static final ConsoleBrowser browser = ConsoleTenant.browser("e2e_console_viewer");
    static ConsoleTenant tenant;

    @BeforeAll
    static void seed() {
        tenant = ConsoleTenant.seed(browser);
    }

    @AfterAll
    static void stop() {
        if (tenant != null) tenant.close();
    }

    @Test
    void aViewerSeesNoWriteButtonOnAnyPageItMayRead() {
        browser.signIn(tenant.viewerToken);
        assertTrue(browser.bodyText().contains("viewer"), "the header names the viewer's role: " + browser.bodyText());
        @SuppressWarnings("unchecked")
        Set<String> permissions = Set.copyOf((List<String>) browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import(new URL('lib/session.js', location.href.split('#')[0]).href).then(m => done(m.session.permissions));
                """));
        assertTrue(permissions.contains("models:read"), "a viewer reads models: " + permissions);
        assertTrue(permissions.stream().noneMatch(p -> p.endsWith(":create") || p.endsWith(":delete")), permissions.toString());

        List<String> found = new ArrayList<>();
        List<String> read = new ArrayList<>();
        for (ConsoleRoutes.Page page : ConsoleRoutes.all(browser, tenant.params())) {
            if (!page.allowed()) {
                // The console says why instead of calling the API: the page's own check, no 403 in the console.
                browser.go(page.route()).waitForText(page.permission());
                browser.checkConsole();
                continue;
            }
            browser.open(page.route());
            browser.screenshot(page.shot() + "-viewer");
            for (String name : browser.buttonNames()) {
                if (isWrite(name)) found.add(page.route() + ": '" + name + "'");
            }
            browser.checkConsole();
            read.add(page.route());
        }
        assertEquals(List.of(), found, "write buttons a viewer cannot use, by page");
        System.out.println("ViewerConsoleE2ETest read " + read.size() + " pages: " + read);
    }

    /**
     * A scoped token reaches only the model catalogue (every other operation answers it 403 out-of-scope):
     * its session lists only the catalogue's permissions, it lands on Models, the navigation shows no other
     * section, and every page it can reach opens without a browser error; the others say why without a call.
     */
    @Test
    void aScopedViewerReachesTheCatalogueWithoutErrors() throws Exception {
        HttpResponse<String> issued = HttpClient.newHttpClient().send(HttpRequest.newBuilder(browser.uri("/api/v1/tokens"))
                .header("Authorization", "Bearer " + browser.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"console-scoped-viewer\",\"role\":\"viewer\",\"scope\":\"kws-*\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, issued.statusCode(), issued.body());
        String token = new com.fasterxml.jackson.databind.ObjectMapper().readTree(issued.body()).get("token").asText();

        browser.signIn(token).awaitReady();
        assertEquals("/models", browser.route(), "a scoped token lands on Models, not the Dashboard");
        @SuppressWarnings("unchecked")
        List<String> permissions = (List<String>) browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import(new URL('lib/session.js', location.href.split('#')[0]).href).then(m => done(m.session.permissions));
                """);
        assertTrue(permissions.contains("models:read"), permissions.toString());
        assertTrue(permissions.stream().allMatch(p -> p.startsWith("models:") || p.startsWith("artifacts:")), permissions.toString());
        List<String> sections = browser.driver().findElements(By.cssSelector("nav[aria-label=Sections] a")).stream()
                .map(WebElement::getText).toList();
        assertEquals(List.of("Models"), sections);
        assertTrue(browser.bodyText().contains("kws-small") && !browser.bodyText().contains("detector"),
                "the catalogue shows only the models of the scope: " + browser.bodyText());
        browser.checkConsole();

        List<String> read = new ArrayList<>();
        List<String> found = new ArrayList<>();
        for (ConsoleRoutes.Page page : ConsoleRoutes.all(browser, tenant.params())) {
            if (!page.allowed()) {
                if (page.route().equals("#/")) {
                    // The start page it may not use opens the first section it can: Models.
                    browser.go(page.route()).waitFor("#/ to open Models", () -> "/models".equals(browser.route()));
                } else {
                    browser.go(page.route()).waitForText(page.permission());
                }
                browser.checkConsole();
                continue;
            }
            browser.open(page.route());
            browser.screenshot(page.shot() + "-scoped-viewer");
            for (String name : browser.buttonNames()) {
                if (isWrite(name)) found.add(page.route() + ": '" + name + "'");
            }
            browser.checkConsole();
            read.add(page.route());
        }
        assertEquals(List.of(), found, "write buttons a scoped viewer cannot use, by page");
        assertTrue(read.contains("#/models") && read.stream().allMatch(r -> r.startsWith("#/models")), read.toString());
        System.out.println("ViewerConsoleE2ETest (scoped) read " + read.size() + " pages: " + read);
    }

    static boolean isWrite(String name) {
        return WRITE_ACTIONS.stream().anyMatch(w -> name.equals(w) || name.startsWith(w + " ") || name.startsWith(w + "…"));
    }
}
