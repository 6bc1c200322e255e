package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Rollouts.FailureBudget;
import dev.modelyard.client.Rollouts.NewRollout;
import dev.modelyard.client.Rollouts.Phase;
import dev.modelyard.e2e.FreshServer;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.fleet.Behavior;
import dev.modelyard.testing.fleet.DeviceSpec;
import dev.modelyard.testing.fleet.FleetRegistration;
import dev.modelyard.testing.fleet.FleetSimulator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.support.ui.FluentWait;

/**
 * Rollouts in the console against simulated devices polling over DDI: a rollout made through the
 * wizard (an alias, a filter with its live count, phases, the review's JSON) is started and watched
 * to the end on its page without a reload (phases pass, the progress chart grows); a device that
 * fails makes the failure budget's burn visible and the rollout pause, with the reason on the page.
 */
class RolloutConsoleE2ETest {

    /** Samples every second, so the progress chart has points to grow by within the test. */
    @RegisterExtension
    static final ConsoleBrowser browser = new ConsoleBrowser(new FreshServer("e2e_console_rollouts", "320m",
            Map.of("MODELYARD_ROLLOUT_SAMPLE_INTERVAL", "PT1S")));
    /** A rollout runs for as long as its devices take; generous, since two cores are shared. */
    static final Duration ROLLOUT_WAIT = Duration.ofMinutes(5);
    static FleetSimulator fleet;

    @BeforeAll
    static void seed() {
        ModelyardClient admin = browser.server().admin();
        Fixtures.publishedOnnx(admin, "kws-small", "1.0.0", "kws-small.onnx", OnnxModels.mlp(4, 32, 1, 4, 1, 0.5f));
        admin.models().setAlias("kws-small", "production", "1.0.0");
        fleet = FleetSimulator.builder(browser.uri("")).build().start();
        Map<String, String> attributes = new HashMap<>(DeviceSpec.updaterAttributes());
        List<DeviceSpec> stores = FleetRegistration.viaApi(admin, "default", "store", 4, attributes, Set.of("store"));
        fleet.addAll(stores, Behavior.healthy().withPollInterval(Duration.ofMillis(500)));
        List<DeviceSpec> flaky = FleetRegistration.viaApi(admin, "default", "flaky", 2, attributes, Set.of("flaky"));
        fleet.addAll(flaky, Behavior.healthy().withPollInterval(Duration.ofMillis(500)).failing("model refused: self-test failed"));
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    @Test
    void aRolloutMadeInTheWizardCompletesOnItsPageWithoutAReload() {
        browser.signIn(browser.adminToken());
        browser.open("#/rollouts/new");
        browser.heading("Step 1 of 5: What");
        browser.field("Name").sendKeys("kws-production-stores");
        browser.field("Model").sendKeys("kws-small");
        browser.field("Version or alias").sendKeys("production");
        browser.screenshot("wizard-1-what");
        browser.button("Next").click();

        browser.heading("Step 2 of 5: Who");
        // A filter that does not parse is marked at its field, checked without an error status
        // (GET /devices/filter-check), so the browser's console stays clean.
        browser.field("Filter").sendKeys("tag==");
        browser.waitFor("the bad filter marked", () -> browser.driver().findElements(By.cssSelector("#rollout-filter-text[aria-invalid=true]")).stream().findFirst().orElse(null));
        browser.field("Filter").sendKeys("store");
        browser.waitFor("the filter accepted", () -> browser.driver().findElements(By.cssSelector("#rollout-filter-text[aria-invalid=false]")).stream().findFirst().orElse(null));
        browser.waitForText("4 devices match");
        browser.screenshot("wizard-2-who");
        browser.axe("wizard-2-who");
        browser.button("Next").click();

        browser.heading("Step 3 of 5: Phases");
        // The default plan: a canary of 5 % (one device of four) and the rest; a phase is added and removed again.
        browser.button("Add a phase").click();
        browser.button("Remove phase 2").click();
        browser.waitFor("the canary reaches one device", () -> browser.bodyText().contains("Phase 1 · 1 devices now"));
        browser.screenshot("wizard-3-phases");
        browser.button("Next").click();

        browser.heading("Step 4 of 5: Safety");
        browser.screenshot("wizard-4-safety");
        browser.button("Next").click();

        browser.heading("Step 5 of 5: Review");
        String json = browser.driver().findElement(By.cssSelector("[data-testid=rollout-json]")).getText();
        assertTrue(json.contains("\"version\": \"production\"") && json.contains("\"filter\": \"tag==store\""), json);
        browser.waitForText("4 devices match now");
        browser.screenshot("wizard-5-review");
        browser.axe("wizard-5-review");
        browser.navigateBy(() -> browser.button("Create and start").click());

        browser.heading("kws-production-stores");
        browser.js("window.rolloutPageMark = 'no reload';");
        // The page follows the rollout by live events: the stream is up, and the page's fallback
        // polling (a 5 s interval, started only while the stream is down) never starts.
        browser.waitFor("the event stream is up", () -> Boolean.TRUE.equals(browser.js(LIVE)) ? true : null);
        browser.js("window.fallbackPolls = 0; const every = window.setInterval;"
                + " window.setInterval = function (f, ms, ...rest) { if (ms === 5000) window.fallbackPolls++; return every.call(this, f, ms, ...rest); };");
        browser.screenshot("rollout-running");
        awaitLong("the rollout succeeded", () -> "succeeded".equals(text("[data-testid=rollout-state]")));
        assertEquals("no reload", browser.js("return window.rolloutPageMark;"), "the page followed the rollout without a reload");
        assertEquals(0L, ((Number) browser.js("return window.fallbackPolls;")).longValue(), "no polling: the events moved the page");
        assertEquals(Boolean.TRUE, browser.js(LIVE), "the event stream stayed up");
        browser.waitForText("4 of 4 devices done");
        assertEquals(2, browser.driver().findElements(By.xpath("//section[contains(@class,'phase')]//span[normalize-space()='passed']")).size(),
                "both phases passed: " + browser.bodyText());
        Number points = (Number) browser.js("return document.querySelectorAll('.chart-line-chart .chart-data tbody tr').length;");
        assertTrue(points.intValue() >= 6, "the progress chart grew by samples (3 series × 2+ points): " + points);
        browser.screenshot("rollout-succeeded");
        browser.axe("rollout-succeeded");

        browser.open("#/rollouts");
        browser.link("kws-production-stores");
        browser.screenshot("rollouts-list");
        browser.axe("rollouts-list");
    }

    @Test
    void aFailingDeviceBurnsTheBudgetAndPausesTheRolloutWithTheReason() {
        ModelyardClient admin = browser.server().admin();
        long id = admin.rollouts().create(NewRollout.of("kws-flaky", "kws-small", "1.0.0", "tag==flaky")
                .phases(Phase.count("canary", 1), Phase.percent("rest", 100))
                .failureBudget(FailureBudget.of(10, 1, "pause"))).id();
        browser.signIn(browser.adminToken());
        browser.open("#/rollouts/" + id);
        browser.heading("kws-flaky");
        browser.button("Start").click();
        browser.waitForText("is assigned 1.0.0 at once"); // the confirmation says what happens
        browser.driver().findElement(By.cssSelector("dialog.confirm button[type=submit]")).click();
        awaitLong("the rollout paused", () -> "paused".equals(text("[data-testid=rollout-state]")));
        String body = browser.bodyText();
        assertTrue(body.contains("Why paused:"), "the reason is on the page: " + body);
        assertTrue(body.contains("Over limit"), "the budget's gauge shows the burn over its limit: " + body);
        browser.button("Resume");
        browser.screenshot("rollout-paused-budget");
        browser.axe("rollout-paused-budget");
        browser.driver().findElement(By.id("device-state")).sendKeys("failed");
        browser.waitFor("a failed device listed", () -> browser.driver().findElements(By.xpath("//td/a[starts-with(normalize-space(), 'flaky-')]")).size() >= 1);
        browser.waitForText("model refused: self-test failed"); // the device's own message, in its row
        browser.screenshot("rollout-failed-devices");
    }

    /** Whether the console's event stream is open (lib/live.js's isLive, the module the pages share). */
    private static final String LIVE = "return import('/console/lib/live.js').then(live => live.isLive());";

    private static String text(String css) {
        return browser.driver().findElement(By.cssSelector(css)).getText().strip();
    }

    private static void awaitLong(String what, Supplier<Boolean> condition) {
        try {
            new FluentWait<>(browser.driver()).withTimeout(ROLLOUT_WAIT).pollingEvery(Duration.ofMillis(250))
                    .ignoring(WebDriverException.class).until(d -> condition.get());
        } catch (RuntimeException e) {
            throw new AssertionError("waited " + ROLLOUT_WAIT.toMinutes() + " min for " + what + "; the page shows: " + browser.bodyText(), e);
        }
    }
}
