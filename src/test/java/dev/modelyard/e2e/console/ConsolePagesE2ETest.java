package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Every page of the console (as its route table lists them) against a realistic tenant, as the
 * admin, at a laptop's and a tablet's width: it becomes ready, the browser logs no error, axe-core
 * finds no serious or critical violation, the first Tab reaches the skip link with a visible focus,
 * and each page leaves a screenshot at each size under target/console-screenshots/ConsolePagesE2ETest.
 */
class ConsolePagesE2ETest {

    @RegisterExtension
    static final ConsoleBrowser browser = ConsoleTenant.browser("e2e_console_pages");
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
    void everyPageIsReadyCleanAccessibleAndKeyboardReachableAtBothSizes() {
        browser.signIn(browser.adminToken());
        List<ConsoleRoutes.Page> pages = ConsoleRoutes.all(browser, tenant.params());
        List<String> visited = new ArrayList<>();
        List<String> notHeld = new ArrayList<>();
        for (ConsoleRoutes.Page page : pages) {
            if (!page.allowed()) {
                // Even the admin lacks some (tenants:read is a system admin's): the console says what is needed.
                browser.size(ConsoleBrowser.LAPTOP).go(page.route()).waitForText(page.permission());
                browser.checkConsole();
                notHeld.add(page.route());
                continue;
            }
            browser.size(ConsoleBrowser.LAPTOP).open(page.route());
            assertFalse(browser.headings("Page not found").size() > 0, page + " shows 'Not found'");
            browser.screenshot(page.shot() + "-laptop");
            browser.axe(page.shot() + "-laptop");
            browser.assertSkipLinkFirst();
            browser.checkConsole();
            browser.size(ConsoleBrowser.TABLET);
            browser.screenshot(page.shot() + "-tablet");
            browser.axe(page.shot() + "-tablet");
            browser.assertSkipLinkFirst();
            browser.checkConsole();
            visited.add(page.route());
        }
        // The shell itself (header, navigation, a page the console does not have).
        browser.size(ConsoleBrowser.LAPTOP).go("#/no-such-page");
        browser.heading("Page not found");
        browser.screenshot("not-found");
        browser.axe("not-found");
        browser.assertSkipLinkFirst();
        System.out.println("ConsolePagesE2ETest visited " + visited.size() + " pages: " + visited
                + "; the admin does not hold the permission of " + notHeld);
    }

    @Test
    void aPageTheUserLeftDrawsIntoADetachedElementNeverOverTheNext() {
        browser.signIn(browser.adminToken());
        browser.open("#/models");
        browser.js("window.__leftPage = document.querySelector('#page > .page-body');");
        browser.open("#/rollouts");
        // What the models page would draw when a late answer arrives after the user left it.
        Object result = browser.js("""
                const old = window.__leftPage;
                const now = document.querySelector('#page > .page-body');
                const connectedBefore = old.isConnected;
                old.innerHTML = '<h1>Stale models page</h1>';
                return [String(connectedBefore), String(now !== old), String(document.querySelectorAll('#page > *').length),
                    String(document.body.textContent.includes('Stale models page'))];
                """);
        assertEquals(List.of("false", "true", "1", "false"), result,
                "[the left page's element is attached, the next page has its own, #page children, the stale text shows]");
        browser.heading("Rollouts");
        browser.checkConsole();
    }

    @Test
    void theKeyboardOpensEverySectionFromTheNavigation() {
        browser.signIn(browser.adminToken());
        List<String> sections = browser.driver().findElements(By.cssSelector("nav[aria-label=Sections] a")).stream()
                .map(WebElement::getText).toList();
        for (String section : sections) {
            WebElement link = browser.link(section);
            if ("page".equals(link.getAttribute("aria-current"))) continue; // already there: Enter would not move
            browser.navigateBy(() -> link.sendKeys(Keys.ENTER));
            assertEquals("page", browser.link(section).getAttribute("aria-current"), section + " is marked as the current section");
        }
    }

    /**
     * Git sync: the list shows the source synced at its commit; its page lists the managed group with
     * that commit; a change made outside git shows as drift (field, the registry's value, git's) after
     * "Sync now"; a broken commit shows each error as file:line:col message with the failed badge; and
     * the form shows the server's refusal of a field at its input.
     */
    @Test
    void aGitSourceShowsItsCommitDriftAndABrokenCommitsErrorsAndTheFormMarksARefusedField() throws Exception {
        String shortSha = tenant.gitCommit.substring(0, 12);
        browser.signIn(browser.adminToken());
        browser.open("#/git-sources");
        browser.waitFor("the source synced at its commit in the list", () -> browser.bodyText().contains(shortSha)
                && browser.bodyText().contains("synced"));
        browser.navigateBy(() -> browser.link(ConsoleTenant.GIT_SOURCE).click());
        browser.heading("Git source " + ConsoleTenant.GIT_SOURCE);
        String objects = browser.driver().findElement(By.cssSelector("[data-testid=git-objects]")).getText();
        assertTrue(objects.contains(ConsoleTenant.GIT_GROUP) && objects.contains(shortSha), objects);

        // Someone changes the git-managed group through the API: the next sync reports it (policy flag).
        HttpResponse<String> changed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        browser.uri("/api/v1/device-groups/" + ConsoleTenant.GIT_GROUP))
                .header("Authorization", "Bearer " + browser.adminToken()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"filter\":\"tag==elsewhere\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, changed.statusCode(), changed.body());
        browser.button("Sync now").click();
        String drift = browser.waitFor("the drift of the group", () -> browser.driver().findElements(By.cssSelector("[data-testid=git-drift]"))
                .stream().map(WebElement::getText).filter(t -> t.contains("spec.filter") && t.contains("tag==elsewhere")).findFirst().orElse(null));
        assertTrue(drift.contains("DeviceGroup " + ConsoleTenant.GIT_GROUP) && drift.contains("tag==console"), drift);

        // A broken commit: nothing changes, each error is file:line:col message.
        tenant.repo.commit("a typo", java.util.Map.of("fleet/groups/lab.yaml",
                ConsoleTenant.groupManifest(ConsoleTenant.GIT_GROUP, "tag==console") + "  filtr: oops\n"));
        browser.waitFor("Sync now to be ready again", () -> browser.button("Sync now").isEnabled());
        browser.button("Sync now").click();
        String errors = browser.waitFor("the broken commit's errors", () -> browser.driver().findElements(By.cssSelector("[data-testid=git-errors]"))
                .stream().map(WebElement::getText).filter(t -> t.contains("fleet/groups/lab.yaml:7:3")).findFirst().orElse(null));
        assertTrue(errors.contains("filtr"), errors);
        assertEquals("failed", browser.driver().findElement(By.cssSelector("[data-testid=git-status]")).getText().strip());
        assertTrue(browser.driver().findElement(By.cssSelector("[data-testid=git-commit]")).getText().contains(shortSha),
                "the last good commit stays");
        browser.screenshot("git-source-failed");
        browser.axe("git-source-failed");
        browser.checkConsole();

        // The form: the server's refusal (an interval under 10 s) is shown at its field.
        browser.open("#/git-sources/new");
        browser.field("Name").sendKeys("too-eager");
        browser.field("Repository URL").sendKeys(tenant.repo.url());
        browser.field("Acts as role").sendKeys("operator");
        WebElement interval = browser.field("Interval");
        interval.clear();
        interval.sendKeys("5s");
        browser.allowConsoleError("/api/v1/git-sources - Failed to load resource: .* 400");
        browser.button("Create git source").click();
        browser.waitFor("the interval field marked invalid",
                () -> browser.driver().findElements(By.cssSelector("#g-interval[aria-invalid=true]")).stream().findFirst().orElse(null));
        String error = browser.driver().findElement(By.id("g-interval-error")).getText();
        assertFalse(error.isBlank(), "the server's reason at the field");
        assertTrue(browser.field("Interval").getAttribute("aria-describedby").contains("g-interval-error"), "the error is the field's description");
        browser.screenshot("git-source-form-refused");
        browser.axe("git-source-form-refused");
    }
}
