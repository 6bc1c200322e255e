package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
    static final ConsoleBrowser browser = new ConsoleBrowser("e2e_console_pages");
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
}
