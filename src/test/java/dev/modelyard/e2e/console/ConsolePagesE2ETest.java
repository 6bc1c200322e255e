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
        for (ConsoleRoutes.Page page : pages) {
            browser.size(ConsoleBrowser.LAPTOP).open(page.route());
            assertFalse(browser.headings("Not found").size() > 0, page + " shows 'Not found'");
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
        browser.heading("Not found");
        browser.screenshot("not-found");
        browser.axe("not-found");
        browser.assertSkipLinkFirst();
        System.out.println("ConsolePagesE2ETest visited " + visited.size() + " pages: " + visited);
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
