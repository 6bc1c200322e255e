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
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The devices pages in a real browser: the selector builder offers what the fleet reports and
 * counts live, a misspelt selector is marked where it is with the server's "did you mean", the list
 * pages on the server through a fleet of 1,200, and a version deployed from the device page reaches
 * a simulated device whose action finishes on the page without a reload, with the device's
 * feedback messages in its history.
 */
class DevicePagesE2ETest {

    @RegisterExtension
    static final ConsoleBrowser browser = new ConsoleBrowser("e2e_console_devices");
    static FleetSimulator fleet;
    static SimDevice device;

    /** 1,200 devices by SQL (a quarter aarch64, the rest x86_64) and one simulated updater polling. */
    @BeforeAll
    static void seed() throws Exception {
        ModelyardClient admin = browser.server().admin();
        Fixtures.publishedOnnx(admin, "kws-small", "1.0.0", "kws-small.onnx", OnnxModels.mlp(4, 32, 1, 4, 1, 0.5f));
        try (Connection c = browser.server().db().connect()) {
            c.setAutoCommit(true);
            FleetRegistration.viaSql(c, "default", "shelf", 900, Map.of("arch", "x86_64", "site", "berlin"), Set.of("store"));
            FleetRegistration.viaSql(c, "default", "gate", 300, Map.of("arch", "aarch64", "site", "hamburg"), Set.of("kiosk"));
        }
        fleet = FleetSimulator.builder(browser.uri("")).build().start();
        Map<String, String> attributes = new HashMap<>(DeviceSpec.updaterAttributes());
        DeviceSpec spec = FleetRegistration.viaApi(admin, "default", "sim-cam-1", attributes, Set.of("lab"));
        device = fleet.addAll(List.of(spec), Behavior.healthy().withPollInterval(Duration.ofMillis(500))
                .withHealthWindow(Duration.ofSeconds(2))).get(0);
        fleet.awaitAll(List.of(device), d -> d.state() != null, ConsoleBrowser.WAIT, "the simulated device polling");
    }

    /**
     * Records the page's running intervals (lib/live.js's fallback polling is the console's only
     * setInterval), so a test can tell that nothing polls while the event stream is up.
     */
    @BeforeEach
    void trackIntervals() {
        browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                (() => {
                  if (window.__intervals) return;
                  window.__intervals = new Map();
                  const set = window.setInterval.bind(window), clear = window.clearInterval.bind(window);
                  window.setInterval = (f, ms, ...a) => { const id = set(f, ms, ...a); window.__intervals.set(id, ms); return id; };
                  window.clearInterval = id => { window.__intervals.delete(id); return clear(id); };
                })();
                """));
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    @Test
    void theSelectorBuilderSuggestsFromTheFleetCountsLiveAndMarksATypo() {
        browser.signIn(browser.adminToken());
        browser.open("#/devices");
        browser.waitFor("the count of every device", () -> countText().contains("1,201 devices match"));

        browser.button("Build a condition").click();
        WebElement selector = browser.field("Selector");
        selector.sendKeys("arch");
        browser.waitFor("attribute.arch suggested with its count", () -> options("device-filter-selector")
                .stream().anyMatch(o -> o.startsWith("attribute.arch") && o.contains("1,201 devices")));
        selector.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
        assertEquals("attribute.arch", selector.getAttribute("value"));

        WebElement value = browser.field("Value");
        value.click();
        value.sendKeys("aa");
        browser.waitFor("aarch64 suggested with its count", () -> options("device-filter-value")
                .stream().anyMatch(o -> o.startsWith("aarch64") && o.contains("300 devices")));
        value.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
        browser.button("Append to filter").click();
        assertEquals("attribute.arch==aarch64", browser.field("Filter devices").getAttribute("value"));
        browser.waitFor("the count of the aarch64 devices", () -> countText().contains("300 devices match"));
        browser.screenshot("devices-builder");
        browser.axe("devices-builder");

        // a typo: the error names the place, the server's suggestion, and marks the token
        WebElement text = browser.field("Filter devices");
        text.sendKeys(Keys.END, ";atribute.site==berlin");
        String error = browser.waitFor("the inline filter error", () -> {
            List<WebElement> e = browser.driver().findElements(By.id("device-filter-error"));
            return e.isEmpty() ? null : e.get(0).getText();
        });
        assertTrue(error.contains("did you mean 'attribute.site'"), error);
        assertTrue(error.contains("at offset 24"), error);
        assertEquals("atribute.site", browser.driver().findElement(By.cssSelector("#device-filter-error mark")).getText());
        assertEquals("true", text.getAttribute("aria-invalid"));
        assertTrue(text.getAttribute("aria-describedby").contains("device-filter-error"));
        browser.screenshot("devices-filter-error");

        // fixed and applied: the filter goes into the address and the list follows it
        text.sendKeys(Keys.chord(Keys.CONTROL, "a"), "attribute.arch==aarch64;attribute.site==hamburg");
        browser.waitFor("the fixed filter counted", () -> countText().contains("300 devices match"));
        browser.navigateBy(() -> browser.button("Apply filter").click());
        assertTrue(browser.driver().getCurrentUrl().contains("q=attribute.arch"), browser.driver().getCurrentUrl());
        browser.waitForText("Devices 1–50 of 300");
    }

    @Test
    void anAndJoinedAfterAnOrBracketsTheOrAndCountsTheIntendedDevices() {
        browser.signIn(browser.adminToken());
        browser.open("#/devices");
        WebElement text = browser.field("Filter devices");
        text.sendKeys("tag==store,tag==kiosk");
        browser.waitFor("the or counted", () -> countText().contains("1,200 devices match"));

        browser.button("Build a condition").click();
        WebElement selector = browser.field("Selector");
        selector.sendKeys("arch");
        browser.waitFor("attribute.arch suggested", () -> options("device-filter-selector")
                .stream().anyMatch(o -> o.startsWith("attribute.arch")));
        selector.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
        WebElement value = browser.field("Value");
        value.click();
        value.sendKeys("aa");
        browser.waitFor("aarch64 suggested", () -> options("device-filter-value").stream().anyMatch(o -> o.startsWith("aarch64")));
        value.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
        browser.button("Append to filter").click();

        // ';' binds tighter than ',': without the brackets this would be store or (kiosk and aarch64), 1,200 devices
        assertEquals("(tag==store,tag==kiosk);attribute.arch==aarch64", browser.field("Filter devices").getAttribute("value"));
        browser.waitFor("the server's count of (store or kiosk) and aarch64", () -> countText().contains("300 devices match"));
        browser.navigateBy(() -> browser.button("Apply filter").click());
        browser.waitForText("Devices 1–50 of 300");
        assertTrue(browser.driver().findElements(By.cssSelector("main table tbody tr td:first-child")).stream()
                .allMatch(td -> td.getText().startsWith("gate-")), "only the aarch64 kiosk devices are listed");
    }

    @Test
    void theListPagesOnTheServerAndKeepsTheFilterInTheAddress() {
        browser.signIn(browser.adminToken());
        browser.open("#/devices?q=tag%3D%3Dstore");
        browser.waitForText("Devices 1–50 of 900");
        assertEquals(50, browser.driver().findElements(By.cssSelector("main table tbody tr")).size());
        browser.screenshot("devices-list");
        browser.axe("devices-list");
        browser.navigateBy(() -> browser.button("Next").click());
        browser.waitForText("Devices 51–100 of 900");
        assertTrue(browser.driver().getCurrentUrl().contains("page=1"), browser.driver().getCurrentUrl());
        // a reload (or a shared link) shows the same page
        browser.driver().navigate().refresh();
        browser.awaitReady();
        browser.waitForText("Devices 51–100 of 900");
        browser.size(ConsoleBrowser.TABLET);
        browser.screenshot("devices-list-tablet");
        browser.axe("devices-list-tablet");
    }

    @Test
    void aVersionDeployedFromTheDevicePageFinishesThereWithTheDevicesMessages() {
        browser.signIn(browser.adminToken());
        browser.open("#/devices/" + device.controllerId());
        browser.heading("Device " + device.controllerId());
        browser.field("Model").sendKeys("kws-small");
        WebElement version = browser.field("Version or alias");
        version.click();
        version.sendKeys("1.0.0");
        browser.waitFor("the event stream to be up", () -> streamUp() ? true : null);
        browser.button("Deploy").click();
        // no reload from here on: the page follows the device by the stream's events, and nothing
        // polls while the stream is up (polling is only its fallback)
        browser.waitFor("the action to finish on the page", () ->
                browser.driver().findElements(By.cssSelector("main table .badge")).stream().anyMatch(b -> b.getText().equals("finished")));
        assertTrue(streamUp(), "the event stream stayed up");
        assertEquals(List.of(), runningIntervals(), "intervals running on the device page while the stream is up");
        browser.driver().findElement(By.cssSelector("button[aria-controls^=history-]")).click();
        browser.waitForText("health window passed");
        browser.waitForText("serving the new model during its health window");
        browser.waitFor("the installed model with its health figures", () -> browser.bodyText().contains("kws-small 1.0.0")
                && browser.bodyText().contains("Requests"));
        browser.screenshot("device-page");
        browser.axe("device-page");
    }

    /** Whether the console's event stream is open (the page's own lib/live.js instance). */
    private static boolean streamUp() {
        Object live = browser.driver().executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                + "import(new URL('lib/live.js', document.baseURI).href).then(m => done(m.isLive()), e => done(String(e)));");
        return Boolean.TRUE.equals(live);
    }

    private static List<Object> runningIntervals() {
        Object ms = browser.js("return window.__intervals ? [...window.__intervals.values()] : null;");
        assertTrue(ms instanceof List, "the interval tracker is installed: " + ms);
        return new ArrayList<>((List<?>) ms);
    }

    private static String countText() {
        List<WebElement> count = browser.driver().findElements(By.id("device-filter-count"));
        return count.isEmpty() ? "" : count.get(0).getText();
    }

    private static List<String> options(String combobox) {
        return browser.driver().findElements(By.cssSelector("#" + combobox + "-listbox [role=option]")).stream()
                .map(WebElement::getText).toList();
    }
}
