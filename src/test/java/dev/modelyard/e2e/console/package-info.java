/**
 * The console's browser tests, and the kit they are written with ({@link dev.modelyard.e2e.console.ConsoleBrowser}).
 *
 * <p>A test class registers one {@code ConsoleBrowser} as a static extension: before its tests it
 * starts the packaged server (a {@link dev.modelyard.e2e.FreshServer} with its own database and the
 * admin token {@code FreshServer.ADMIN}) and Debian's headless chromium through Debian's
 * chromedriver ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}; nothing is downloaded; a
 * missing one fails with the {@code apt-get install chromium chromium-driver} to run). After its
 * tests both are stopped.
 *
 * <pre>{@code
 * class ModelPagesE2ETest {
 *     @RegisterExtension
 *     static final ConsoleBrowser browser = new ConsoleBrowser("e2e_console_models");
 *
 *     @Test
 *     void aModelsVersionsShowTheirAliases() {
 *         ModelyardClient admin = browser.server().admin();       // seed through the API
 *         ...
 *         browser.signIn(browser.adminToken());                 // through the sign-in form
 *         browser.open("#/models/kws-small");                   // waits for <html data-ready="true">
 *         browser.heading("kws-small");
 *         browser.button("Move alias").click();
 *         browser.field("Alias").sendKeys("production");
 *         browser.waitForText("production → 1.2.0");
 *         browser.screenshot("model-page");                     // target/console-screenshots/ModelPagesE2ETest/model-page.png
 *         browser.axe("model-page");                            // fails on serious or critical violations
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Pages are ready</b> when they call {@code ctx.ready()}: {@code open(route)} and
 *     {@code awaitReady()} wait for it (60 s, {@link dev.modelyard.e2e.console.ConsoleBrowser#WAIT});
 *     after a click that moves to another page, call {@code awaitReady()}.
 *     {@code waitFor("what", () -> condition)} waits for anything else and fails naming what it
 *     waited for and what the page showed. Never sleep; never assert on timing.</li>
 *   <li><b>Find by accessible name</b>, as a user does: {@code field(label)} (a form field by its
 *     label, or the start of it), {@code button(name)}, {@code link(name)}, {@code heading(text)}
 *     (each waits until it is there); {@code buttons(name)} and {@code headings(text)} return what is
 *     there now (empty when none); {@code buttonNames()} lists every visible button's name;
 *     {@code alertText()} waits for a {@code role=alert}; {@code bodyText()} is the visible text.
 *     Add a {@code data-testid} only where no accessible name fits
 *     ({@code driver().findElement(By.cssSelector("[data-testid=…]"))}).</li>
 *   <li><b>The browser's console must stay clean</b>: after every test the kit fails it on any error
 *     the browser logged (console.error, an uncaught exception or rejection, a failed request:
 *     chromium logs a 4xx/5xx fetch as "Failed to load resource"). {@code checkConsole()} checks at
 *     once. A test that provokes an error on purpose (a wrong token's 401) names it with
 *     {@code allowConsoleError(regex)}; pages must not call what their token may not use.</li>
 *   <li><b>Screenshots</b>: {@code screenshot(name)} saves the whole page (at the window's width); a failed test saves
 *     {@code <test>-failed.png} by itself.</li>
 *   <li><b>Accessibility</b>: {@code axe(name)} runs axe-core (the {@code axe.min.js} of
 *     {@code com.deque.html.axe-core:selenium}) on the page as it is, fails on serious and critical
 *     violations (rule, impact, elements, help page) and saves the whole result as
 *     {@code <name>.axe.json} beside the screenshots.</li>
 *   <li><b>Keyboard</b>: {@code assertSkipLinkFirst()}: the first Tab reaches "Skip to content",
 *     visibly focused. Drive keys with {@code new Actions(browser.driver()).sendKeys(Keys.TAB)}.</li>
 *   <li><b>Window sizes</b>: {@code size(ConsoleBrowser.LAPTOP)} (1366×900, the default before each
 *     test) and {@code size(ConsoleBrowser.TABLET)} (768×1024).</li>
 *   <li><b>Tokens of other roles</b>: issue them through the API as the admin
 *     ({@code browser.server().admin()}) and {@code signIn(token)}; {@code signIn} signs out first.</li>
 * </ul>
 *
 * <p>Run one: {@code mvn -B -o -pl src/test -am verify -Dtest=ConsoleSignInE2ETest
 * -Dsurefire.failIfNoSpecifiedTests=false} (it packages the server first).
 * {@code -Dmodelyard.chromium=…} and {@code -Dmodelyard.chromedriver=…} point at another chromium.
 */
package dev.modelyard.e2e.console;
