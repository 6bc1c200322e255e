package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.ModelyardClient;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.fleet.Behavior;
import dev.modelyard.testing.fleet.DeviceSpec;
import dev.modelyard.testing.fleet.FleetRegistration;
import dev.modelyard.testing.fleet.FleetSimulator;
import dev.modelyard.testing.fleet.SimDevice;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboard, open in the browser, shows a failure a device reports while it is open (live
 * events, no reload), with the device's reason, and counts the fleet right. The failure must come
 * live: the page marks a read that an event caused "updated live", and re-reads without events only
 * while the stream is down (every 30 s), so the marker on the read that shows the failure proves it.
 */
class DashboardE2ETest {

    @RegisterExtension
    static final ConsoleBrowser browser = new ConsoleBrowser("e2e_console_dashboard");

    private static final Duration POLL = Duration.ofMillis(500);
    private static final String REASON = "self-test failed: output differs from the reference";

    @Test
    void aFailureAppearsLiveWithItsReasonAndTheCountsAreRight() {
        ModelyardClient admin = browser.server().admin();
        Fixtures.publishedOnnx(admin, "kws-small", "1.0.0", "kws-small.onnx", OnnxModels.mlp(4, 32, 1, 4, 1, 0.5f));
        Fixtures.publishedOnnx(admin, "kws-small", "1.1.0", "kws-small.onnx", OnnxModels.mlp(4, 32, 1, 4, 2, 0.5f));
        try (FleetSimulator fleet = FleetSimulator.builder(browser.uri("")).build().start()) {
            Map<String, String> attributes = new HashMap<>(DeviceSpec.updaterAttributes());
            List<DeviceSpec> healthySpecs = FleetRegistration.viaApi(admin, "default", "dash-ok", 2, attributes, Set.of("dash"));
            List<DeviceSpec> failingSpecs = FleetRegistration.viaApi(admin, "default", "dash-bad", 1, attributes, Set.of("dash"));
            List<SimDevice> healthy = fleet.addAll(healthySpecs, Behavior.healthy().withPollInterval(POLL));
            SimDevice failing = fleet.addAll(failingSpecs, Behavior.healthy().withPollInterval(POLL).failingVersion("1.1.0", REASON)).get(0);
            for (SimDevice d : healthy) Fixtures.assign(admin, "kws-small", "1.0.0", d.controllerId());
            fleet.awaitAll(healthy, d -> "1.0.0".equals(d.installedVersion("kws-small")), ConsoleBrowser.WAIT.multipliedBy(3),
                    "kws-small 1.0.0 installed on the healthy devices");

            browser.signIn(browser.adminToken());
            browser.open("#/");
            browser.heading("Dashboard");
            browser.waitFor("the two devices running kws-small 1.0.0 in the versions chart",
                    () -> browser.bodyText().contains("kws-small: 2 devices"));
            browser.waitFor("no failure yet", () -> browser.bodyText().contains("No action has failed."));
            assertEquals("3", tile("devices"));

            // The failing device is given 1.1.0 while the dashboard is open: it reports a failure with its reason.
            long action = Fixtures.assign(admin, "kws-small", "1.1.0", failing.controllerId()).actions().get(0).id();
            browser.waitFor("the failure with its reason, without a reload", () -> browser.bodyText().contains(REASON));
            String status = browser.driver().findElement(By.cssSelector("p.help[role=status]")).getText();
            assertTrue(status.contains("updated live"), () -> "the failure did not come from a live event: " + status);
            WebElement row = browser.driver().findElement(By.xpath("//td[contains(., '" + REASON + "')]/ancestor::tr"));
            assertTrue(row.getText().contains(failing.controllerId()), row.getText());
            assertTrue(row.getText().contains("kws-small 1.1.0"), row.getText());
            assertEquals("#/devices/" + failing.controllerId(), row.findElement(By.linkText(failing.controllerId())).getAttribute("href")
                    .replaceFirst("^.*(#/devices/)", "$1"));
            assertTrue(row.findElement(By.linkText("#" + action)).getAttribute("href").endsWith("?action=" + action));
            browser.waitFor("one device in error", () -> "1".equals(tile("in error")));
            assertEquals("3", tile("devices"));
            assertEquals(3, Integer.parseInt(tile("online")) + Integer.parseInt(tile("offline")) + Integer.parseInt(tile("in error")));
            browser.waitFor("the polling devices online", () -> "2".equals(tile("online")));

            browser.screenshot("dashboard");
            browser.axe("dashboard");
            browser.size(ConsoleBrowser.TABLET);
            browser.screenshot("dashboard-tablet");
        }
    }

    /** The number on the tile whose label is {@code label}. */
    private static String tile(String label) {
        for (WebElement t : browser.driver().findElements(By.cssSelector(".tile"))) {
            if (t.findElement(By.cssSelector(".tile-label")).getText().equals(label)) {
                return t.findElement(By.cssSelector(".tile-value")).getText().replace(",", "");
            }
        }
        throw new AssertionError("no tile " + label);
    }
}
