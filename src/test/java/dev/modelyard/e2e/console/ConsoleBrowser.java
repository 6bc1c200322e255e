package dev.modelyard.e2e.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.e2e.FreshServer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.FluentWait;

/**
 * The console in a real browser, against the packaged server: Debian's headless chromium driven
 * through Debian's chromedriver by Selenium. See {@link dev.modelyard.e2e.console package-info} for
 * how to write a test with it.
 */
public final class ConsoleBrowser implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /** How long a wait lasts before it fails: generous, since the machine may be busy. */
    public static final Duration WAIT = Duration.ofSeconds(60);
    /** A laptop's window. */
    public static final Dimension LAPTOP = new Dimension(1366, 900);
    /** A tablet's window (portrait), at the 768 px width the console is made for. */
    public static final Dimension TABLET = new Dimension(768, 1024);

    static final String CHROMIUM = System.getProperty("modelyard.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("modelyard.chromedriver", "/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SPACE = Pattern.compile("\\s+");

    /**
     * Finds visible elements by accessible name, in one round trip: arguments[0] a CSS selector of
     * candidates, arguments[1] the name, arguments[2] true for a prefix match. The name is computed
     * as browsers do for the common cases: aria-labelledby, aria-label, the label of a form field,
     * the text content, alt, title, a button input's value.
     */
    private static final String NAME_FN = """
            const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
            const visible = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
            const name = e => {
              const by = e.getAttribute('aria-labelledby');
              if (by) return norm(by.split(/\\s+/).map(id => document.getElementById(id)?.textContent).join(' '));
              if (e.getAttribute('aria-label')) return norm(e.getAttribute('aria-label'));
              if (e.labels && e.labels.length) return norm([...e.labels].map(l => l.textContent).join(' '));
              if (e.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(e.type)) return norm(e.value);
              if (e.tagName === 'IMG') return norm(e.alt);
              return norm(e.textContent) || norm(e.title);
            };
            """;
    private static final String BY_NAME = """
            const [selector, wanted, prefix] = arguments;
            """ + NAME_FN + """
            const all = [...document.querySelectorAll(selector)].filter(visible);
            const exact = all.filter(e => name(e) === wanted);
            if (exact.length || !prefix) return exact;
            return all.filter(e => name(e).startsWith(wanted));
            """;
    private static final String BUTTONS = "button, [role=button], input[type=submit], input[type=button], a[role=button]";
    private static final String FIELDS = "input:not([type=hidden]), select, textarea, [role=combobox], [role=searchbox], [role=textbox], [role=switch], [role=checkbox]";
    private static final String HEADINGS = "h1, h2, h3, h4, h5, h6, [role=heading]";
    private static final String LINKS = "a[href], [role=link]";

    private final FreshServer server;
    private ChromeDriver driver;
    private Path profile;
    private Path screenshots;
    private final List<Pattern> allowed = new ArrayList<>();
    private String testName = "test";

    /** A browser and a fresh packaged server of its own, on a database named after {@code purpose}. */
    public ConsoleBrowser(String purpose) {
        this(new FreshServer(purpose, "320m", Map.of()));
    }

    /** A browser against a server a test configures itself (this extension starts and stops it). */
    public ConsoleBrowser(FreshServer server) {
        this.server = server;
    }

    // ---- lifecycle --------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        requireBrowser();
        screenshots = Path.of("target", "console-screenshots", context.getRequiredTestClass().getSimpleName());
        if (Files.isDirectory(screenshots)) deleteTree(screenshots); // an earlier run's pictures would mislead
        Files.createDirectories(screenshots);
        server.beforeAll(context);
        profile = Files.createTempDirectory("modelyard-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--user-data-dir=" + profile,
                "--window-size=" + LAPTOP.width + "," + LAPTOP.height, "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
        driver.manage().timeouts().pageLoadTimeout(WAIT);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (driver != null) driver.quit();
        } finally {
            try {
                server.afterAll(context);
            } finally {
                if (profile != null) deleteTree(profile);
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        testName = context.getRequiredTestMethod().getName();
        allowed.clear();
        size(LAPTOP);
        browserLog(); // whatever an earlier test left was checked then
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (context.getExecutionException().isPresent()) {
                screenshot(testName + "-failed");
            }
        } catch (RuntimeException ignored) {
            // the failure itself matters more than its picture
        }
        try {
            checkConsole();
        } finally {
            allowed.clear();
        }
    }

    private static void requireBrowser() {
        if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
            throw new IllegalStateException("the console's browser tests need Debian's chromium at " + CHROMIUM
                    + " and chromedriver at " + CHROMEDRIVER
                    + ": install Debian's chromium and chromium-driver: apt-get install chromium chromium-driver");
        }
    }

    // ---- the server -------------------------------------------------------------------------

    /** The packaged server this browser talks to. */
    public FreshServer server() {
        return server;
    }

    /** The server's admin token. */
    public String adminToken() {
        return FreshServer.ADMIN;
    }

    /** The server's address of {@code path}, e.g. {@code uri("/api/v1/models")}. */
    public URI uri(String path) {
        return server.process().uri(path);
    }

    /** The Selenium driver, for what this kit has no helper for. */
    public ChromeDriver driver() {
        return driver;
    }

    // ---- navigation -------------------------------------------------------------------------

    /** Sets the window's size, e.g. {@link #LAPTOP} or {@link #TABLET}. */
    public ConsoleBrowser size(Dimension size) {
        driver.manage().window().setSize(size);
        return this;
    }

    /** Loads the console with no one signed in and waits for the sign-in form. */
    public ConsoleBrowser openSignIn() {
        driver.get(uri("/console/").toString());
        js("sessionStorage.clear(); localStorage.clear();");
        driver.navigate().refresh();
        waitFor("the sign-in form (heading 'Sign in to Modelyard')", () -> !headings("Sign in to Modelyard").isEmpty());
        return this;
    }

    /**
     * Signs in through the sign-in form with {@code token} (first signing out whoever was signed
     * in) and waits for the console's shell (its navigation).
     */
    public ConsoleBrowser signIn(String token) {
        return signIn(token, null);
    }

    /** {@link #signIn(String)} with the tenant field filled in. */
    public ConsoleBrowser signIn(String token, String tenant) {
        openSignIn();
        field("API token").sendKeys(token);
        if (tenant != null) field("Tenant").sendKeys(tenant);
        button("Sign in").click();
        waitFor("the console's shell after signing in (navigation 'Sections')", () -> {
            List<WebElement> alert = alerts();
            if (!alert.isEmpty()) {
                throw new AssertionError("signing in failed: " + alert.get(0).getText());
            }
            return !driver.findElements(org.openqa.selenium.By.cssSelector("nav[aria-label=Sections]")).isEmpty();
        });
        return this;
    }

    /**
     * Goes to a route of the console (e.g. {@code "#/models"} or {@code "#/models/kws-small"}) and
     * waits until its page says its first data is on screen ({@code <html data-ready="true">},
     * set by {@code ctx.ready()}).
     */
    public ConsoleBrowser open(String route) {
        go(route);
        return awaitReady();
    }

    /** Goes to a route without waiting for its page. */
    public ConsoleBrowser go(String route) {
        String hash = route.startsWith("#") ? route : "#" + route;
        String url = uri("/console/").toString() + hash;
        String current = driver.getCurrentUrl();
        // The console without a hash shows the start page, as "#/" does: the same page, reload it.
        if (current != null && current.endsWith("/console/")) current = current + "#/";
        if (current != null && current.equals(url)) {
            driver.navigate().refresh();
        } else if (current != null && current.startsWith(uri("/console/").toString())) {
            // Stay in the loaded console (as a click on a link does): a hash change, no reload.
            js("delete document.documentElement.dataset.ready; location.hash = arguments[0];", hash);
        } else {
            driver.get(url);
        }
        return this;
    }

    /** Waits until the current page has called {@code ctx.ready()} (e.g. after a click that moves to another page). */
    public ConsoleBrowser awaitReady() {
        waitFor("the page at " + safeUrl() + " to say it is ready (<html data-ready=\"true\">, set by ctx.ready())", () -> {
            Object ready = js("return document.documentElement.dataset.ready === 'true';");
            if (Boolean.TRUE.equals(ready)) return true;
            if (!headings("Sign in to Modelyard").isEmpty()) {
                throw new AssertionError("the sign-in page is shown instead of " + safeUrl() + ": call signIn(token) first"
                        + alerts().stream().map(a -> " (" + a.getText() + ")").findFirst().orElse(""));
            }
            return false;
        });
        return this;
    }

    /**
     * Does what moves to another page (a click on a link or a button, a key press) and waits until
     * that page is ready: {@code browser.navigateBy(() -> browser.link("kws-small").click())}.
     */
    public ConsoleBrowser navigateBy(Runnable action) {
        js("delete document.documentElement.dataset.ready;");
        action.run();
        return awaitReady();
    }

    /** The current route ({@code <html data-route>}, the matched route's path, e.g. {@code /models/:name}). */
    public String route() {
        return (String) js("return document.documentElement.dataset.route || null;");
    }

    // ---- waiting ----------------------------------------------------------------------------

    /**
     * Waits up to {@link #WAIT} until {@code condition} is true (or returns a non-null, non-false
     * value, which it returns); fails naming {@code what} was awaited. An AssertionError thrown by
     * the condition fails at once; other exceptions (a stale element) are retried.
     */
    public <T> T waitFor(String what, Supplier<T> condition) {
        try {
            return new FluentWait<>(driver).withTimeout(WAIT).pollingEvery(Duration.ofMillis(100))
                    .ignoring(WebDriverException.class)
                    .withMessage(() -> "waited " + WAIT.toSeconds() + " s for " + what + " at " + safeUrl()
                            + "; the page shows: " + abbreviate(bodyText()))
                    .until(d -> {
                        T value = condition.get();
                        return Boolean.FALSE.equals(value) ? null : value;
                    });
        } catch (TimeoutException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Waits until a visible text on the page contains {@code text}. */
    public ConsoleBrowser waitForText(String text) {
        waitFor("the text '" + text + "'", () -> bodyText().contains(text));
        return this;
    }

    // ---- finding by accessible name ---------------------------------------------------------

    /** The form field labelled {@code label} (exact label, else the label that starts with it, e.g. "Tenant" for "Tenant (optional)"). */
    public WebElement field(String label) {
        return one("field labelled", FIELDS, label, true);
    }

    /** The button named {@code name} (its text, aria-label or value). */
    public WebElement button(String name) {
        return one("button", BUTTONS, name, false);
    }

    /** The link named {@code name}. */
    public WebElement link(String name) {
        return one("link", LINKS, name, false);
    }

    /** The heading with the text {@code text}. */
    public WebElement heading(String text) {
        return one("heading", HEADINGS, text, false);
    }

    /** Every visible button named {@code name} (empty when none). */
    public List<WebElement> buttons(String name) {
        return byName(BUTTONS, name, false);
    }

    /** Every visible heading with the text {@code text}. */
    public List<WebElement> headings(String text) {
        return byName(HEADINGS, text, false);
    }

    /** The names of every visible button and button-like link on the page. */
    @SuppressWarnings("unchecked")
    public List<String> buttonNames() {
        return (List<String>) js("const [selector] = arguments;\n" + NAME_FN
                + "return [...document.querySelectorAll(selector)].filter(visible).map(name);", BUTTONS);
    }

    /** The visible alerts (role=alert), e.g. an error view. */
    public List<WebElement> alerts() {
        return driver.findElements(org.openqa.selenium.By.cssSelector("[role=alert]")).stream()
                .filter(WebElement::isDisplayed).toList();
    }

    /** Waits for a visible alert and returns its text. */
    public String alertText() {
        return waitFor("an alert (role=alert)", () -> alerts().stream().map(WebElement::getText)
                .filter(t -> !t.isBlank()).findFirst().orElse(null));
    }

    /** The visible text of the page. */
    public String bodyText() {
        try {
            return driver.findElement(org.openqa.selenium.By.tagName("body")).getText();
        } catch (WebDriverException e) {
            return "";
        }
    }

    private WebElement one(String kind, String selector, String name, boolean prefix) {
        return waitFor("a " + kind + " '" + name + "'", () -> {
            List<WebElement> found = byName(selector, name, prefix);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    @SuppressWarnings("unchecked")
    private List<WebElement> byName(String selector, String name, boolean prefix) {
        return (List<WebElement>) js(BY_NAME, selector, SPACE.matcher(name).replaceAll(" ").trim(), prefix);
    }

    /** Runs a script in the page. */
    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    // ---- keyboard ---------------------------------------------------------------------------

    /**
     * Checks the page's first Tab stop: from the top of the page, Tab reaches the "Skip to
     * content" link, and it shows that it has the focus (an outline or a box shadow).
     */
    public void assertSkipLinkFirst() {
        js("document.activeElement?.blur(); window.scrollTo(0, 0); document.body.setAttribute('tabindex', '-1');"
                + " document.body.focus(); document.body.removeAttribute('tabindex');");
        new Actions(driver).sendKeys(Keys.TAB).perform();
        @SuppressWarnings("unchecked")
        Map<String, Object> focus = (Map<String, Object>) js("""
                const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
                return {text: (e.textContent || '').trim(), cls: e.className, outline: s.outlineStyle,
                  outlineWidth: s.outlineWidth, shadow: s.boxShadow, visible: r.width > 0 && r.height > 0 && r.top >= 0 && r.top < innerHeight};
                """);
        if (!"Skip to content".equals(focus.get("text"))) {
            throw new AssertionError("the first Tab at " + safeUrl() + " reached '" + focus.get("text") + "' (class "
                    + focus.get("cls") + "), not the 'Skip to content' link");
        }
        boolean outlined = !"none".equals(focus.get("outline")) && !"0px".equals(focus.get("outlineWidth"));
        boolean shadowed = focus.get("shadow") != null && !"none".equals(focus.get("shadow"));
        if (!Boolean.TRUE.equals(focus.get("visible")) || !(outlined || shadowed)) {
            throw new AssertionError("the focused 'Skip to content' link at " + safeUrl() + " is not visibly focused: " + focus);
        }
        js("document.activeElement?.blur();"); // so later screenshots show the page, not the skip link
    }

    // ---- screenshots and accessibility --------------------------------------------------------

    /**
     * Saves the whole page (at the window's width, up to 8,000 pixels down) to
     * {@code target/console-screenshots/<TestClass>/<name>.png}; returns the file.
     */
    @SuppressWarnings("unchecked")
    public Path screenshot(String name) {
        Path file = screenshots.resolve(fileName(name) + ".png");
        byte[] png;
        try {
            Map<String, Object> size = (Map<String, Object>) js("return {w: document.documentElement.clientWidth,"
                    + " h: Math.min(8000, Math.max(document.documentElement.scrollHeight, innerHeight))};");
            Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                    "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", size.get("w"),
                            "height", size.get("h"), "scale", 1)));
            png = java.util.Base64.getDecoder().decode((String) shot.get("data"));
        } catch (WebDriverException e) {
            png = driver.getScreenshotAs(OutputType.BYTES); // what the window shows
        }
        try {
            Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Runs axe-core on the page; fails on any serious or critical violation, listing each rule, its
     * impact, the elements and the rule's help page. The whole result is saved as
     * {@code <name>.axe.json} beside the screenshots.
     */
    public void axe(String name) {
        if (!Boolean.TRUE.equals(js("return typeof window.axe === 'object';"))) {
            js(axeSource());
        }
        String result = (String) ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']})
                  .then(r => done(JSON.stringify({url: r.url, violations: r.violations, incomplete: r.incomplete.length, passes: r.passes.length})))
                  .catch(e => done(JSON.stringify({error: String(e)})));
                """);
        try {
            Files.writeString(screenshots.resolve(fileName(name) + ".axe.json"), result);
            JsonNode root = JSON.readTree(result);
            if (root.has("error")) throw new AssertionError("axe-core failed at " + safeUrl() + ": " + root.get("error").asText());
            StringBuilder bad = new StringBuilder();
            for (JsonNode v : root.get("violations")) {
                String impact = v.path("impact").asText();
                if (!impact.equals("serious") && !impact.equals("critical")) continue;
                bad.append("\n  ").append(v.path("id").asText()).append(" (").append(impact).append("): ")
                        .append(v.path("help").asText()).append(" — ").append(v.path("helpUrl").asText());
                for (JsonNode node : v.path("nodes")) {
                    bad.append("\n    at ").append(node.path("target")).append(": ")
                            .append(abbreviate(node.path("failureSummary").asText().replace('\n', ' ')));
                }
            }
            if (!bad.isEmpty()) {
                throw new AssertionError("accessibility violations on '" + name + "' (" + safeUrl() + "):" + bad);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String axeSource() {
        try (InputStream in = ConsoleBrowser.class.getClassLoader().getResourceAsStream("axe.min.js")) {
            if (in == null) throw new IllegalStateException("axe.min.js is missing from the test classpath (com.deque.html.axe-core:selenium)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- the browser's console --------------------------------------------------------------

    /**
     * Lets the current test log browser errors that match {@code regex} (e.g. the 401 of a wrong
     * token on the sign-in page, which chromium logs as a failed request). Cleared after each test.
     */
    public ConsoleBrowser allowConsoleError(String regex) {
        allowed.add(Pattern.compile(regex));
        return this;
    }

    /**
     * Fails if the browser logged an error since the last check: a console.error, an uncaught
     * exception or unhandled rejection, a failed request (chromium logs "Failed to load resource").
     * Runs after every test by itself; call it to check at a point of your choosing.
     */
    public void checkConsole() {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : browserLog()) {
            if (e.getLevel().intValue() < Level.SEVERE.intValue()) continue;
            String message = e.getMessage();
            if (allowed.stream().anyMatch(p -> p.matcher(message).find())) continue;
            errors.add(message);
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("the browser's console has errors (in " + testName + "):\n  " + String.join("\n  ", errors));
        }
    }

    private List<LogEntry> browserLog() {
        try {
            return driver.manage().logs().get(LogType.BROWSER).getAll();
        } catch (WebDriverException e) {
            return List.of();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private String safeUrl() {
        try {
            return driver.getCurrentUrl();
        } catch (WebDriverException e) {
            return "(unknown address)";
        }
    }

    private static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]+", "-");
    }

    private static String abbreviate(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "…" : s;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
