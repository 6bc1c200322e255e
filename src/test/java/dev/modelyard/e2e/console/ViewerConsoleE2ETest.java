package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
    static final List<String> WRITE_ACTIONS = List.of("Create", "New", "Add", "Upload", "Publish", "Deprecate", "Revoke",
            "Delete", "Remove", "Start", "Approve", "Pause", "Resume", "Cancel", "Roll back", "Rollback", "Issue",
            "Register", "Deploy", "Assign", "Move alias", "Set alias", "Edit", "Save", "Rotate", "Convert", "Retry",
            "Enable", "Disable", "Rename", "Drop");

    @RegisterExtension
    static final ConsoleBrowser browser = new ConsoleBrowser("e2e_console_viewer");
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
            if (page.permission() != null && !permissions.contains(page.permission())) {
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

    static boolean isWrite(String name) {
        return WRITE_ACTIONS.stream().anyMatch(w -> name.equals(w) || name.startsWith(w + " ") || name.startsWith(w + "…"));
    }
}
