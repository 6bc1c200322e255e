import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.FluentWait;

/**
 * The console's page timings: drives Debian's headless chromium (through Debian's chromedriver)
 * over the console's main pages and measures, for each, the time from the navigation (a hash
 * change, as a click on a link does) to the page's ctx.ready() (the 'page-ready' performance
 * mark), and the server time of the API calls the page made (Resource Timing: responseStart -
 * requestStart, and the whole fetch: responseEnd - startTime).
 *
 * <p>One round over all pages warms up (module loads, the server's JIT) and is reported apart as
 * "first visit"; then RUNS rounds are measured. Pages are visited in turn, so each visit mounts its
 * page afresh.
 *
 * <p>Usage: java -cp SELENIUM_CLASSPATH PageTimings.java URL TOKEN RUNS OUT.tsv name=route...
 * Prints a Markdown table; writes every measurement to OUT.tsv.
 */
public class PageTimings {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String token = args[1];
        int runs = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        Map<String, String> pages = new LinkedHashMap<>();
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            pages.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Path profile = Files.createTempDirectory("console-bench-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("chromium", "/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--user-data-dir=" + profile, "--window-size=1366,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        Map<String, List<double[]>> measured = new LinkedHashMap<>();
        Map<String, double[]> first = new LinkedHashMap<>();
        Map<String, String> slowest = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        try {
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
            driver.get(url + "/console/");
            js(driver, "sessionStorage.setItem('modelyard.session', JSON.stringify({token: arguments[0]}));", token);
            driver.navigate().refresh(); // the console reads the stored token when it starts
            awaitShell(driver);
            for (int round = 0; round <= runs; round++) {
                for (var page : pages.entrySet()) {
                    if (missing.contains(page.getKey())) continue;
                    double[] m = visit(driver, page.getValue(), slowest, page.getKey());
                    if (m == null) {
                        missing.add(page.getKey());
                        continue;
                    }
                    if (round == 0) first.put(page.getKey(), m);
                    else measured.computeIfAbsent(page.getKey(), k -> new ArrayList<>()).add(m);
                }
                for (LogEntry e : driver.manage().logs().get(LogType.BROWSER).getAll()) {
                    if (e.getLevel().intValue() >= Level.SEVERE.intValue()) errors.add(e.getMessage());
                }
                System.err.println("round " + round + " of " + runs + " done");
            }
        } finally {
            driver.quit();
        }
        StringBuilder tsv = new StringBuilder("page\trun\tready_ms\tapi_calls\tapi_server_max_ms\tapi_fetch_max_ms\n");
        System.out.println("| page | route | ready median ms | ready p95 ms | first visit ms | API calls | slowest call: server median / p95 ms | slowest call |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---|");
        for (var page : pages.entrySet()) {
            if (missing.contains(page.getKey())) {
                System.out.printf("| %s | `%s` | not in this console | | | | | |%n", page.getKey(), page.getValue());
                continue;
            }
            List<double[]> ms = measured.get(page.getKey());
            for (int i = 0; i < ms.size(); i++) {
                double[] m = ms.get(i);
                tsv.append(page.getKey()).append('\t').append(i + 1).append('\t').append(fmt(m[0])).append('\t')
                        .append((int) m[1]).append('\t').append(fmt(m[2])).append('\t').append(fmt(m[3])).append('\n');
            }
            List<Double> ready = ms.stream().map(m -> m[0]).toList();
            List<Double> server = ms.stream().map(m -> m[2]).toList();
            System.out.printf("| %s | `%s` | %s | %s | %s | %d | %s / %s | `%s` |%n", page.getKey(), page.getValue(),
                    fmt(pct(ready, 50)), fmt(pct(ready, 95)), fmt(first.get(page.getKey())[0]), (int) ms.get(0)[1],
                    fmt(pct(server, 50)), fmt(pct(server, 95)), slowest.getOrDefault(page.getKey(), "-"));
        }
        Files.writeString(out, tsv);
        if (!errors.isEmpty()) {
            System.err.println("the browser logged errors:\n  " + String.join("\n  ", errors));
        }
    }

    /** Navigates to route and waits for ctx.ready(); returns {ready ms, API calls, slowest server ms, slowest fetch ms}. */
    @SuppressWarnings("unchecked")
    static double[] visit(ChromeDriver driver, String route, Map<String, String> slowest, String name) {
        js(driver, """
                delete document.documentElement.dataset.ready;
                performance.clearMarks(); performance.clearResourceTimings();
                performance.mark('nav-start');
                location.hash = arguments[0];""", route);
        Map<String, Object> r = new FluentWait<>(driver).withTimeout(Duration.ofSeconds(120)).pollingEvery(Duration.ofMillis(20))
                .withMessage(() -> "the page " + route + " did not call ctx.ready() within 120 s")
                .until(d -> (Map<String, Object>) js(driver, """
                        const ready = performance.getEntriesByName('page-ready', 'mark')[0];
                        if ([...document.querySelectorAll('h1')].some(h => h.textContent.trim() === 'Page not found')) return {missing: true};
                        if (document.documentElement.dataset.ready !== 'true' || !ready) return null;
                        const start = performance.getEntriesByName('nav-start', 'mark')[0].startTime;
                        const calls = performance.getEntriesByType('resource')
                          .filter(e => e.name.includes('/api/v1/') && !e.name.includes('/api/v1/events') && e.startTime >= start && e.startTime <= ready.startTime)
                          .map(e => ({url: e.name.replace(location.origin, ''), server: e.responseStart - e.requestStart, fetch: e.responseEnd - e.startTime}));
                        calls.sort((a, b) => b.server - a.server);
                        return {ready: ready.startTime - start, calls: calls.length,
                                server: calls.length ? calls[0].server : 0, fetch: calls.length ? Math.max(...calls.map(c => c.fetch)) : 0,
                                slowest: calls.length ? calls[0].url : '-'};"""));
        if (r.containsKey("missing")) return null;
        slowest.put(name, (String) r.get("slowest"));
        return new double[] {num(r.get("ready")), num(r.get("calls")), num(r.get("server")), num(r.get("fetch"))};
    }

    static void awaitShell(ChromeDriver driver) {
        new FluentWait<>(driver).withTimeout(Duration.ofSeconds(120)).pollingEvery(Duration.ofMillis(100))
                .withMessage(() -> "the console did not sign in (is the token right?)")
                .until(d -> Boolean.TRUE.equals(js(driver, "return !!document.querySelector('nav[aria-label=Sections]');")));
    }

    static Object js(ChromeDriver driver, String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    static double num(Object o) {
        return o == null ? 0 : ((Number) o).doubleValue();
    }

    static double pct(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }

    static String fmt(double v) {
        return String.format("%.0f", v);
    }
}
