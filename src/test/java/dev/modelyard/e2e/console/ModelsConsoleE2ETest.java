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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Locale;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
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

    /** The console's slice size (lib/upload.js CHUNK). */
    private static final int CHUNK = 4 << 20;
    /** A window the width of a tablet held in portrait. */
    private static final Dimension NARROW = new Dimension(768, 1024);

    @Test
    void createUploadPublishConvertAndMoveAnAlias() throws Exception {
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
        assertEquals(0L, keptUploads(), "a finished upload is not kept for later");
        assertEquals(sha256(onnx), admin.artifacts().get("kws-console", "1.0.0", "kws.onnx").sha256());
        browser.screenshot("upload-page");
        browser.axe("upload-page");

        browser.js("performance.clearResourceTimings(); performance.setResourceTimingBufferSize(100000);");
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
        // The page re-read its artifacts several times (publication, the conversion, the alias), but the signed
        // metadata of each artifact only once.
        @SuppressWarnings("unchecked")
        Map<String, Object> reads = (Map<String, Object>) browser.js("""
                const n = { artifacts: 0, signed: {} };
                for (const e of performance.getEntriesByType('resource')) {
                  if (/\\/artifacts\\?/.test(e.name)) n.artifacts++;
                  if (e.name.endsWith('/signed-metadata')) n.signed[e.name] = (n.signed[e.name] || 0) + 1;
                }
                return n;""");
        assertTrue(((Number) reads.get("artifacts")).intValue() >= 3, "the page re-read its artifacts: " + reads);
        @SuppressWarnings("unchecked")
        Map<String, Object> signedReads = (Map<String, Object>) reads.get("signed");
        assertEquals(2, signedReads.size(), "the source and the converted artifact: " + reads);
        assertTrue(signedReads.values().stream().allMatch(n -> ((Number) n).intValue() == 1), "each read once: " + reads);
        browser.size(NARROW);
        browser.screenshot("version-page-768");
        browser.size(ConsoleBrowser.LAPTOP);

        // A download streams with its progress, then hands the file over.
        browser.button("Download kws.onnx").click();
        browser.waitForText("kws.onnx downloaded (");

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
        browser.size(NARROW);
        browser.screenshot("model-page-768");
        browser.size(ConsoleBrowser.LAPTOP);

        // A failed action is shown where it was, with what to do: 1.1.0 is revoked (elsewhere) while the
        // deprecation's confirmation is open, so the server refuses the move on purpose.
        browser.button("Deprecate 1.1.0").click();
        browser.waitForText("marked as on its way out");
        admin.versions().update("kws-console", "1.1.0", Versions.VersionPatch.status(Versions.REVOKED));
        browser.allowConsoleError("versions/1\\.1\\.0 - Failed to load resource: the server responded with a status of 409");
        browser.button("Deprecate").click();
        String failure = browser.waitFor("the failure by the versions", () -> {
            List<WebElement> shown = browser.driver().findElements(By.cssSelector("[data-testid=action-error]"));
            return shown.isEmpty() ? null : shown.get(0).getText();
        });
        assertTrue(failure.contains("Could not deprecate 1.1.0"), failure);
        assertTrue(failure.contains("invalid-status-transition"), failure);
        assertTrue(failure.contains("cannot move to that status"), "the advice for the code: " + failure);
        browser.screenshot("model-page-action-failed");

        browser.open("#/models");
        browser.waitForText("kws-console");
        browser.screenshot("models-list");
        browser.axe("models-list");
    }

    /**
     * The CPU features a file needs, given on the upload page: the server's refusal (features without an
     * architecture) is shown at the field, the corrected upload stores the canonical names, and the version
     * page says what the file needs.
     */
    @Test
    void anUploadsCpuFeaturesAreCheckedAtTheFieldAndShownOnTheVersion() throws Exception {
        ModelyardClient admin = browser.server().admin();
        admin.models().create(Models.NewModel.named("featured"));
        admin.versions().create("featured", Versions.NewVersion.of("1.0.0"));
        Path file = Files.write(dir.resolve("featured.onnx"), OnnxModels.mlp(16, 32, 1, 4, 3, 0.1f));

        browser.signIn(browser.adminToken());
        browser.open("#/models/featured/versions/1.0.0/upload");
        browser.field("Choose a file").sendKeys(file.toString());
        assertEquals("any", new Select(browser.field("Architecture")).getFirstSelectedOption().getAttribute("value"));
        browser.field("CPU features").sendKeys("avx2");
        browser.allowConsoleError("/uploads\\?\\S* - Failed to load resource: the server responded with a status of 400");
        browser.button("Upload").click();
        WebElement features = browser.waitFor("the CPU features field marked invalid",
                () -> browser.driver().findElements(By.cssSelector("#t-cpuFeatures[aria-invalid=true]")).stream().findFirst().orElse(null));
        String error = browser.driver().findElement(By.id("t-cpuFeatures-error")).getText();
        assertTrue(error.contains("cpuFeatures") && error.contains("architecture"), error);
        assertTrue(features.getAttribute("aria-describedby").contains("t-cpuFeatures-error"), "the error is the field's description");
        assertEquals(features, browser.driver().switchTo().activeElement(), "the focus moved to the refused field");
        assertEquals(0L, admin.versions().get("featured", "1.0.0").artifactCount(), "nothing was stored");
        browser.screenshot("upload-cpu-features-refused");
        browser.axe("upload-cpu-features-refused");

        new Select(browser.field("Architecture")).selectByValue("x86_64");
        features.clear();
        features.sendKeys("fma, AVX2");
        browser.button("Upload").click();
        browser.waitForText("Uploaded and checked.");
        assertTrue(browser.driver().findElements(By.id("t-cpuFeatures-error")).isEmpty(), "the field's error is gone");
        assertEquals(List.of("avx2", "fma"), admin.artifacts().get("featured", "1.0.0", "featured.onnx").target().cpuFeatures(),
                "sorted canonical names");

        browser.navigateBy(() -> browser.link("Back to featured 1.0.0").click());
        browser.waitFor("the features on the artifact's row", () -> !browser.driver().findElements(By.cssSelector("[data-testid=cpu-features]")).isEmpty());
        assertEquals("needs avx2, fma", testId("cpu-features"));
        assertTrue(browser.driver().findElements(By.cssSelector("[data-testid=optimized]")).isEmpty(), "an upload is not optimized");
    }

    @Test
    void anUploadResumesAfterTheConnectionIsCut() throws Exception {
        ModelyardClient admin = browser.server().admin();
        admin.models().create(Models.NewModel.named("resumable"));
        admin.versions().create("resumable", Versions.NewVersion.of("1.0.0"));
        byte[] onnx = OnnxModels.mlp(256, 1024, 4, 10, 11, 0.1f); // about 13 MB: four appends of 4 MiB
        Path file = Files.write(dir.resolve("big.onnx"), onnx);
        URI server = browser.uri("/");
        try (CuttingProxy proxy = new CuttingProxy(new InetSocketAddress(server.getHost(), server.getPort()))) {
            // An append loses its connection after 1.5 MB of its 4 MiB. Chromium sends a request again by itself,
            // once, when a reused connection breaks before any answer: the second cut is the one the page sees.
            Pattern appends = Pattern.compile(".*/uploads/[0-9a-f-]+");
            proxy.cutRequests("PATCH", appends, 1_500_000, 2);
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
            // What the page did: it tried failed appends again and went on from the server's offset, which is
            // inside a slice (the bytes of the cut append that arrived were kept), and the server took an append
            // at exactly that offset (a wrong one would have been refused with upload-offset-mismatch).
            assertTrue(Integer.parseInt(testId("upload-retries")) >= 1, "the page tried a failed append again");
            long resumedFrom = Long.parseLong(testId("upload-resumed-from"));
            assertTrue(resumedFrom > 0 && resumedFrom < onnx.length && resumedFrom % CHUNK != 0,
                    "resumed inside a slice, from the server's offset: " + resumedFrom);
            assertTrue(browser.bodyText().contains("from byte " + String.format(Locale.ENGLISH, "%,d", resumedFrom)),
                    "the page says from which offset");
            Pattern resumedAppend = Pattern.compile("(?im)^upload-offset:\\s*" + resumedFrom + "\\s*$");
            assertTrue(proxy.requests().stream().anyMatch(head -> head.startsWith("PATCH ") && resumedAppend.matcher(head).find()),
                    "an append at the resumed offset went to the server");
            assertEquals(sha256(onnx), testId("upload-sha256"));
            Artifacts.Artifact stored = admin.artifacts().get("resumable", "1.0.0", "big.onnx");
            assertEquals(sha256(onnx), stored.sha256(), "the server stored exactly the file");
            assertEquals(onnx.length, stored.size());
            browser.screenshot("upload-resumed");
            // Leave the proxy's origin before the proxy closes: its live-update stream would end mid-response,
            // which the browser logs as an error (a real network failure, not the page's).
            browser.driver().get("about:blank");
        }
    }

    /**
     * An upload kept for later survives a reload: the same file picked again resumes from the offset the
     * server has (the page says which) and completes with the right digest; the finished upload is forgotten.
     */
    @Test
    void anUploadKeptForLaterResumesAfterAReload() throws Exception {
        ModelyardClient admin = browser.server().admin();
        admin.models().create(Models.NewModel.named("kept"));
        admin.versions().create("kept", Versions.NewVersion.of("1.0.0"));
        byte[] onnx = OnnxModels.mlp(256, 1024, 4, 10, 12, 0.1f); // about 13 MB
        Path file = Files.write(dir.resolve("kept.onnx"), onnx);
        URI server = browser.uri("/");
        try (CuttingProxy proxy = new CuttingProxy(new InetSocketAddress(server.getHost(), server.getPort()))) {
            // Every append is cut after 1.5 MB: the upload moves on slowly, so it is partial when the user leaves.
            Pattern appends = Pattern.compile(".*/uploads/[0-9a-f-]+");
            proxy.cutRequests("PATCH", appends, 1_500_000, 1000);
            String console = "http://127.0.0.1:" + proxy.port() + "/console/";
            browser.driver().get(console);
            browser.field("API token").sendKeys(browser.adminToken());
            browser.button("Sign in").click();
            browser.waitFor("the shell", () -> !browser.driver().findElements(By.cssSelector("nav[aria-label=Sections]")).isEmpty());
            browser.driver().get(console + "#/models/kept/versions/1.0.0/upload");
            browser.awaitReady();
            // The cut appends are failed requests in the browser's log, provoked on purpose.
            browser.allowConsoleError("uploads/[0-9a-f-]+ - Failed to load resource: net::ERR_");
            browser.allowConsoleError("uploads/[0-9a-f-]+ - Failed to load resource: the server responded with a status of 409");
            browser.field("Choose a file").sendKeys(file.toString());
            browser.button("Upload").click();
            browser.waitFor("a partial upload", () -> !browser.driver().findElements(By.cssSelector("[data-testid=upload-resumed-from]")).isEmpty()
                    && Long.parseLong(testId("upload-resumed-from")) > 0);
            browser.button("Keep for later").click();
            browser.waitForText("Kept for later:");
            proxy.cutRequests("PATCH", appends, 1_500_000, 0); // the link is good again
            assertEquals(1L, keptUploads(), "the session is kept in the tab's storage");
            String url = (String) browser.js("""
                    for (let i = 0; i < sessionStorage.length; i++) {
                      const key = sessionStorage.key(i);
                      if (key.startsWith('modelyard.upload:')) return JSON.parse(sessionStorage.getItem(key)).url;
                    }
                    return null;""");
            long serverOffset = settledOffset(url);
            assertTrue(serverOffset > 0 && serverOffset < onnx.length, "partial on the server: " + serverOffset);

            browser.driver().navigate().refresh();
            browser.awaitReady();
            browser.waitForText("Unfinished uploads");
            assertTrue(browser.bodyText().contains("kept.onnx"), "the kept upload is listed");
            browser.field("Choose a file").sendKeys(file.toString());
            browser.waitForText("Uploaded and checked, resumed the kept upload from byte "
                    + String.format(Locale.ENGLISH, "%,d", serverOffset));
            assertEquals(serverOffset, Long.parseLong(testId("upload-resumed-from")), "resumed from the server's offset");
            assertEquals(sha256(onnx), testId("upload-sha256"));
            Artifacts.Artifact stored = admin.artifacts().get("kept", "1.0.0", "kept.onnx");
            assertEquals(sha256(onnx), stored.sha256(), "the server stored exactly the file");
            assertEquals(onnx.length, stored.size());
            assertEquals(0L, keptUploads(), "a finished upload is forgotten");
            browser.screenshot("upload-resumed-after-reload");
            // Leave the proxy's origin before the proxy closes: its live-update stream would end mid-response,
            // which the browser logs as an error (a real network failure, not the page's).
            browser.driver().get("about:blank");
        }
    }

    /**
     * Deltas and transfers on a released version's page: read only when the user opens the section (the page's
     * first load asks for none), a delta requested from an earlier published version reaches ready (or useless)
     * on screen without a reload (the build's end is an artifact event: the section does not poll while the
     * stream is up), a base that is the file itself is refused with its advice, and the transfer totals show.
     */
    @Test
    void aDeltaRequestedOnTheVersionPageReachesItsEndLive() throws Exception {
        ModelyardClient admin = browser.server().admin();
        // Same weights, another bias: about 330 KB (above the server's 64 KiB minimum), and a small delta.
        Fixtures.publishedOnnx(admin, "speech", "1.0.0", "kws.onnx", OnnxModels.mlp(64, 256, 2, 10, 21, 0.1f));
        byte[] target = OnnxModels.mlp(64, 256, 2, 10, 21, 0.2f);
        Fixtures.publishedOnnx(admin, "speech", "1.1.0", "kws.onnx", target);

        browser.signIn(browser.adminToken());
        browser.js("performance.clearResourceTimings(); performance.setResourceTimingBufferSize(100000);");
        browser.open("#/models/speech/versions/1.1.0");
        browser.heading("speech 1.1.0");
        browser.heading("Deltas and transfers");
        assertEquals(0L, ((Number) browser.js("return performance.getEntriesByType('resource')"
                + ".filter(e => /\\/deltas|\\/transfers/.test(e.name)).length;")).longValue(),
                "nothing of the section is read on the page's first load");

        browser.button("Show deltas and transfers").click();
        String transfers = browser.waitFor("the transfer totals", () -> {
            List<WebElement> shown = browser.driver().findElements(By.cssSelector("[data-testid=transfers]"));
            return shown.isEmpty() ? null : shown.get(0).getText();
        });
        assertTrue(transfers.contains("reported transfers: 0"), transfers);

        // A base that is the file itself: refused on purpose, shown with the advice for its code.
        new Select(browser.field("Base for kws.onnx")).selectByValue("#sha");
        browser.field("Base SHA-256").sendKeys(sha256(target));
        browser.allowConsoleError("deltas - Failed to load resource: the server responded with a status of 422");
        browser.button("Request delta for kws.onnx").click();
        browser.waitFor("the refusal", () -> browser.bodyText().contains("delta-base-invalid"));
        assertTrue(browser.bodyText().contains("Pick another base"), "the advice for delta-base-invalid");

        new Select(browser.field("Base for kws.onnx")).selectByValue("1.0.0");
        browser.button("Request delta for kws.onnx").click();
        String status = browser.waitFor("the delta from 1.0.0 built, on screen without a reload", () -> {
            List<WebElement> cells = browser.driver().findElements(By.xpath(
                    "//table[@aria-label='Deltas of kws.onnx']//tr[td[1][contains(., '1.0.0')]]/td[3]"));
            String s = cells.isEmpty() ? "" : cells.get(0).getText().trim();
            return s.equals("ready") || s.equals("useless") ? s : null;
        });
        assertEquals("ready", status, "a delta between two versions that differ in one bias is worth keeping");
        assertTrue(browser.driver().findElements(By.xpath("//tr[td[1][contains(., '1.0.0')]]/td[7]"))
                .get(0).getText().contains("api"), "requested through the API");
        browser.screenshot("version-deltas");
        browser.axe("version-deltas");
        browser.size(NARROW);
        browser.screenshot("version-deltas-768");
        browser.size(ConsoleBrowser.LAPTOP);
    }

    /** Every code the models pages' actions can meet has advice (what to do) in lib/messages.js. */
    @Test
    void everyCodeTheModelActionsMeetHasAdvice() {
        browser.signIn(browser.adminToken());
        @SuppressWarnings("unchecked")
        List<String> missing = (List<String>) browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import(new URL('lib/messages.js', location.href.split('#')[0]).href).then(({ adviceCodes }) => {
                  const known = new Set(adviceCodes());
                  done(['version-not-publishable', 'signature-required', 'invalid-signature', 'invalid-status-transition',
                    'model-has-releases', 'version-immutable', 'version-not-draft', 'version-not-found', 'alias-not-found',
                    'model-not-found', 'invalid-field', 'invalid-name', 'already-exists', 'conflict', 'forbidden', 'out-of-scope',
                    'nothing-to-convert', 'artifact-not-found', 'upload-not-found', 'digest-mismatch', 'target-taken',
                    'incomplete-upload', 'upload-offset-mismatch', 'concurrent-request', 'storage-full', 'too-many-uploads',
                    'upload-too-slow', 'range-not-satisfiable', 'network-error'].filter(code => !known.has(code)));
                }, e => done([String(e)]));
                """);
        assertEquals(List.of(), missing);
    }

    /**
     * The console's incremental SHA-256 against the FIPS 180-4 examples (NIST's SHA-256 test vectors), fed in
     * uneven pieces, and against WebCrypto on 8 MiB of random bytes hashed from a Blob in its Web Worker.
     */
    @Test
    void theBrowsersSha256MatchesTheStandardsVectors() {
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

    /** How many uploads the console keeps in the tab's sessionStorage. */
    private static long keptUploads() {
        return ((Number) browser.js("return Object.keys(sessionStorage).filter(k => k.startsWith('modelyard.upload:')).length;")).longValue();
    }

    /** The offset the server has for an upload session, once no append is in progress. */
    private static long settledOffset(String url) {
        HttpClient http = HttpClient.newHttpClient();
        return browser.waitFor("the server's offset", () -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(browser.uri(url))
                        .header("Authorization", "Bearer " + browser.adminToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200 || r.body().contains("\"appending\":true")) return null;
                Matcher m = Pattern.compile("\"offset\":(\\d+)").matcher(r.body());
                return m.find() ? Long.parseLong(m.group(1)) : null;
            } catch (java.io.IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        });
    }

    private static String testId(String id) {
        return browser.driver().findElement(By.cssSelector("[data-testid=" + id + "]")).getText();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
