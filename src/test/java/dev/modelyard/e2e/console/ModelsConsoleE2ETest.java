package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Models;
import dev.modelyard.client.Profiles;
import dev.modelyard.client.Versions;
import dev.modelyard.e2e.CuttingProxy;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.wire.TargetDescriptor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The models pages in a real browser: a model and a draft made through the forms, a real ONNX model
 * uploaded through the upload page (SHA-256 computed in the browser, checked by the server), published
 * with its confirmation, its conversion's result and lineage shown, an alias set and moved with the
 * confirmation naming from and to, the signature's expiry shown; and an upload that resumes after its
 * connection is cut in the middle.
 */
class ModelsConsoleE2ETest {

    @RegisterExtension
    static final ConsoleBrowser browser = new ConsoleBrowser("e2e_console_models");

    @TempDir
    Path dir;

    /** Until the server has its live-update stream (GET /api/v1/events), the console's attempts get 404: not this area's error. */
    private static void allowMissingLiveStream() {
        browser.allowConsoleError("/api/v1/events - Failed to load resource: the server responded with a status of 404");
    }

    @Test
    void createUploadPublishConvertAndMoveAnAlias() throws Exception {
        allowMissingLiveStream();
        ModelyardClient admin = browser.server().admin();
        admin.profiles().create(new Profiles.ProfileBody("fp16", "half-size weights", true,
                List.of(new Profiles.Step(null, "fp16-weights", Map.of(), null, null, null)),
                new TargetDescriptor("onnx", null, null, null, null, "fp16", null, null),
                new Profiles.Tolerance(0.01, 0.999), null, null));
        byte[] onnx = OnnxModels.mlp(64, 256, 2, 10, 7, 0.1f);
        Path file = Files.write(dir.resolve("kws.onnx"), onnx);

        browser.signIn(browser.adminToken());
        browser.open("#/models");
        browser.button("New model").click();
        browser.field("Name").sendKeys("kws-console");
        browser.field("Task").sendKeys("keyword-spotting");
        browser.navigateBy(() -> browser.button("Create model").click());
        browser.heading("Model kws-console");

        browser.button("New draft version").click();
        browser.field("Version").sendKeys("1.0.0");
        browser.navigateBy(() -> browser.button("Create draft").click());
        browser.heading("kws-console 1.0.0");

        browser.navigateBy(() -> browser.link("Upload a file").click());
        browser.field("Choose a file").sendKeys(file.toString());
        assertEquals("onnx", new Select(browser.field("Format")).getFirstSelectedOption().getAttribute("value"),
                "the format comes from the file name");
        browser.button("Upload").click();
        browser.waitForText("Uploaded and checked.");
        assertEquals(sha256(onnx), testId("upload-sha256"), "the digest the browser computed");
        assertEquals(sha256(onnx), admin.artifacts().get("kws-console", "1.0.0", "kws.onnx").sha256());
        browser.screenshot("upload-page");
        browser.axe("upload-page");

        browser.navigateBy(() -> browser.link("Back to kws-console 1.0.0").click());
        browser.button("Publish 1.0.0").click();
        browser.waitForText("becomes immutable and deployable");
        browser.button("Publish").click();
        // The enabled profile's job runs at publication; the page shows its result and the lineage.
        browser.waitFor("the converted artifact and its lineage", () -> browser.bodyText().contains("Result: kws.fp16.onnx")
                && browser.bodyText().contains("Max abs difference"));
        browser.waitForText("expires in");
        assertTrue(browser.bodyText().contains("release 1, expires in"), "the signature's release counter and expiry");

        browser.button("Set an alias on 1.0.0").click();
        browser.field("Alias").sendKeys("production");
        browser.button("Continue").click();
        browser.waitForText("production: (not set) → 1.0.0");
        browser.button("Set alias").click();
        browser.waitFor("the alias on the version page", () -> !browser.driver()
                .findElements(By.xpath("//span[contains(@class,'alias') and text()='production']")).isEmpty());
        browser.screenshot("version-page");
        browser.axe("version-page");

        Fixtures.publishedOnnx(admin, "kws-console", "1.1.0", "kws.onnx", OnnxModels.mlp(64, 256, 2, 10, 8, 0.1f));
        browser.open("#/models/kws-console");
        browser.button("Move alias production").click();
        new Select(browser.field("Version")).selectByValue("1.1.0");
        browser.button("Continue").click();
        browser.waitForText("production: 1.0.0 → 1.1.0");
        browser.button("Move alias").click();
        browser.waitFor("production on the row of 1.1.0", () -> browser.driver().findElements(By.xpath(
                "//tr[td[1]//a[text()='1.1.0']]/td[3]//span[text()='production']")).size() == 1);
        assertEquals("1.1.0", admin.models().get("kws-console").aliases().get("production"));
        browser.screenshot("model-page");
        browser.axe("model-page");

        browser.open("#/models");
        browser.waitForText("kws-console");
        browser.screenshot("models-list");
        browser.axe("models-list");
    }

    @Test
    void anUploadResumesAfterTheConnectionIsCut() throws Exception {
        allowMissingLiveStream();
        ModelyardClient admin = browser.server().admin();
        admin.models().create(Models.NewModel.named("resumable"));
        admin.versions().create("resumable", Versions.NewVersion.of("1.0.0"));
        byte[] onnx = OnnxModels.mlp(256, 1024, 4, 10, 11, 0.1f); // about 13 MB: four appends of 4 MiB
        Path file = Files.write(dir.resolve("big.onnx"), onnx);
        URI server = browser.uri("/");
        try (CuttingProxy proxy = new CuttingProxy(new InetSocketAddress(server.getHost(), server.getPort()))) {
            // An append loses its connection after 1.5 MB of its 4 MiB. Chromium sends a request again by itself,
            // once, when a reused connection breaks before any answer: the second cut is the one the page sees.
            proxy.cutRequests("PATCH", Pattern.compile(".*/uploads/[0-9a-f-]+"), 1_500_000, 2);
            String console = "http://127.0.0.1:" + proxy.port() + "/console/";
            // The browser talks to the server only through the proxy (another origin: sign in there).
            browser.driver().get(console);
            browser.field("API token").sendKeys(browser.adminToken());
            browser.button("Sign in").click();
            browser.waitFor("the shell", () -> !browser.driver().findElements(By.cssSelector("nav[aria-label=Sections]")).isEmpty());
            browser.driver().get(console + "#/models/resumable/versions/1.0.0/upload");
            browser.awaitReady();
            browser.field("Choose a file").sendKeys(file.toString());
            browser.button("Upload").click();
            // The cut appends are failed requests in the browser's log: that is this test's point. Chromium's own
            // repeat of a cut append is refused with 409 (the server kept the bytes that arrived, so its offset
            // moved on); the page then resumes from the server's offset.
            browser.allowConsoleError("uploads/[0-9a-f-]+ - Failed to load resource: net::ERR_");
            browser.allowConsoleError("uploads/[0-9a-f-]+ - Failed to load resource: the server responded with a status of 409");
            browser.waitForText("Uploaded and checked, resumed after");
            assertEquals(2, proxy.requestCuts(), "the proxy cut appends");
            assertEquals(sha256(onnx), testId("upload-sha256"));
            Artifacts.Artifact stored = admin.artifacts().get("resumable", "1.0.0", "big.onnx");
            assertEquals(sha256(onnx), stored.sha256(), "the server stored exactly the file");
            assertEquals(onnx.length, stored.size());
            browser.screenshot("upload-resumed");
        }
    }

    /**
     * The console's incremental SHA-256 against the FIPS 180-4 examples (NIST's SHA-256 test vectors), fed in
     * uneven pieces, and against WebCrypto on 8 MiB of random bytes hashed from a Blob in its Web Worker.
     */
    @Test
    void theBrowsersSha256MatchesTheStandardsVectors() {
        allowMissingLiveStream();
        browser.signIn(browser.adminToken());
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                (async () => {
                  const { Sha256, sha256Hex, hashFile } = await import(new URL('lib/sha256.js', location.href.split('#')[0]).href);
                  const text = s => new TextEncoder().encode(s);
                  const out = {};
                  out.empty = sha256Hex(text(''));
                  out.abc = sha256Hex(text('abc'));
                  out.two = sha256Hex(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'));
                  out.four = sha256Hex(text('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'));
                  const million = new Sha256();
                  const piece = new Uint8Array(997).fill(0x61);
                  let left = 1_000_000;
                  while (left > 0) { const n = Math.min(left, piece.length); million.update(piece.subarray(0, n)); left -= n; }
                  out.million = million.hex();
                  const random = new Uint8Array(8 << 20);
                  for (let i = 0; i < random.length; i += 65536) crypto.getRandomValues(random.subarray(i, i + 65536));
                  out.worker = await hashFile(new Blob([random]));
                  out.webcrypto = [...new Uint8Array(await crypto.subtle.digest('SHA-256', random))].map(b => b.toString(16).padStart(2, '0')).join('');
                  return out;
                })().then(done, e => done({ error: String(e) }));
                """);
        assertEquals(null, r.get("error"));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", r.get("empty"));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", r.get("abc"));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", r.get("two"));
        assertEquals("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", r.get("four"));
        assertEquals("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", r.get("million"));
        assertEquals(r.get("webcrypto"), r.get("worker"), "8 MiB of random bytes, hashed from a Blob in the worker");
    }

    private static String testId(String id) {
        return browser.driver().findElement(By.cssSelector("[data-testid=" + id + "]")).getText();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
