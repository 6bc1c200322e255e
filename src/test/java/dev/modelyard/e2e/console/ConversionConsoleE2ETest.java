package dev.modelyard.e2e.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Conversions;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Profiles;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.wire.TargetDescriptor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * Conversion in the console: a profile form shows the server's refusal at the field it names, and
 * a version's conversion job shows its chain, result and log.
 */
class ConversionConsoleE2ETest {

    @RegisterExtension
    static final ConsoleBrowser browser = new ConsoleBrowser("e2e_console_conversion");
    static long jobId;

    @BeforeAll
    static void seed() {
        ModelyardClient admin = browser.server().admin();
        admin.profiles().create(new Profiles.ProfileBody("arm-int8", "int8 for small aarch64 devices", true,
                List.of(new Profiles.Step(null, "int8-weights-qdq", Map.of("perChannel", false), null, null, null)),
                new TargetDescriptor("onnx", null, null, "aarch64", null, "int8", 64, null),
                new Profiles.Tolerance(0.05, 0.999), null, null));
        Fixtures.publishedOnnx(admin, "kws-small", "1.0.0", "kws-small.onnx", OnnxModels.mlp(4, 32, 1, 4, 1, 0.5f));
        jobId = admin.conversions().jobs(new Conversions.Filter("kws-small", null, null, null, null, null)).items().get(0).id();
    }

    @Test
    void aProfileFormShowsTheServersRefusalAtItsField() {
        browser.signIn(browser.adminToken());
        browser.open("#/conversion/profiles");
        browser.link("arm-int8");
        browser.screenshot("profiles");
        browser.axe("profiles");
        browser.navigateBy(() -> browser.link("New profile").click());
        browser.field("Name").sendKeys("npu-int8");
        // The form cannot know the runtime's rule; the server refuses it and names target.runtime.
        browser.field("Runtime").sendKeys("ONNX Runtime");
        browser.allowConsoleError("/api/v1/conversion/profiles - Failed to load resource: .* 400");
        browser.button("Create profile").click();
        WebElement runtime = browser.waitFor("the runtime field marked invalid",
                () -> browser.driver().findElements(By.cssSelector("#f-target-runtime[aria-invalid=true]")).stream().findFirst().orElse(null));
        String error = browser.driver().findElement(By.id("f-target-runtime-error")).getText();
        assertTrue(error.contains("target.runtime") && error.contains("lower-case token"), error);
        assertTrue(runtime.getAttribute("aria-describedby").contains("f-target-runtime-error"), "the error is the field's description");
        browser.screenshot("profile-server-error");
        browser.axe("profile-server-error");

        browser.open("#/conversion/profiles/arm-int8");
        browser.heading("Profile arm-int8");
        browser.screenshot("profile-edit");
    }

    /**
     * The #18 parts of the profile form: int8-dynamic among the converters, the optimized flag the steps
     * decide (shown, not settable without a command step), the target's CPU features with the server's
     * refusal at their field; the result of a version published afterwards carries both on its page.
     */
    @Test
    void aProfilesCpuFeaturesAndOptimizedResultReachTheVersionPage() {
        ModelyardClient admin = browser.server().admin();
        browser.signIn(browser.adminToken());
        browser.open("#/conversion/profiles/new");
        browser.heading("New conversion profile");
        browser.field("Name").sendKeys("x86-fast");
        Select converter = new Select(browser.field("Converter"));
        converter.selectByValue("int8-dynamic");
        WebElement optimized = browser.field("Optimized");
        assertTrue(optimized.isSelected(), "int8-dynamic optimizes: the default the steps decide");
        assertFalse(optimized.isEnabled(), "only a chain with a command step may set it");
        assertTrue(browser.bodyText().contains("Only a chain with a command step may set it"), "the hint says why");
        new Select(browser.field("Precision")).selectByVisibleText("int8");
        browser.field("CPU features").sendKeys("avx2, fma");
        browser.field("Max abs error").sendKeys("1");
        browser.field("Min cosine").sendKeys("0.9");
        // Features without an architecture: the server refuses them and names target.cpuFeatures.
        browser.allowConsoleError("/api/v1/conversion/profiles - Failed to load resource: .* 400");
        browser.button("Create profile").click();
        WebElement features = browser.waitFor("the CPU features field marked invalid",
                () -> browser.driver().findElements(By.cssSelector("#f-target-cpuFeatures[aria-invalid=true]")).stream().findFirst().orElse(null));
        String error = browser.driver().findElement(By.id("f-target-cpuFeatures-error")).getText();
        assertTrue(error.contains("target.cpuFeatures") && error.contains("architecture"), error);
        assertTrue(features.getAttribute("aria-describedby").contains("f-target-cpuFeatures-error"), "the error is the field's description");
        browser.screenshot("profile-cpu-features-refused");
        browser.axe("profile-cpu-features-refused");

        new Select(browser.field("Architecture")).selectByVisibleText("x86_64");
        browser.navigateBy(() -> browser.button("Create profile").click());
        browser.link("x86-fast");
        Profiles.Profile saved = admin.profiles().get("x86-fast");
        assertEquals(List.of("avx2", "fma"), saved.target().cpuFeatures());
        assertEquals("x86_64", saved.target().arch());
        assertTrue(saved.optimized(), "the server's default for int8-dynamic");

        // int8-dynamic is portable: the result's target is the profile's, features included.
        Fixtures.publishedOnnx(admin, "kws-fast", "1.0.0", "kws-fast.onnx", OnnxModels.mlp(16, 64, 1, 4, 2, 0.1f));
        browser.open("#/models/kws-fast/versions/1.0.0");
        WebElement row = browser.waitFor("the optimized result on the version page", () -> browser.driver()
                .findElements(By.xpath("//table//tr[.//*[@data-testid='optimized']]")).stream().findFirst().orElse(null));
        assertTrue(row.getText().contains("x86-fast"), "the badge is on the int8-dynamic result: " + row.getText());
        assertTrue(row.getText().contains("needs avx2, fma"), "its CPU features: " + row.getText());
        assertEquals(1, browser.driver().findElements(By.xpath("//table//*[@data-testid='optimized']")).size(),
                "neither the upload nor the int8-weights-qdq result is optimized");
        browser.screenshot("version-optimized");
        browser.axe("version-optimized");

        browser.open("#/conversion/profiles/x86-fast");
        browser.heading("Profile x86-fast");
        assertEquals("avx2, fma", browser.field("CPU features").getAttribute("value"), "the saved features in the form");
        assertTrue(browser.field("Optimized").isSelected());
    }

    @Test
    void aJobShowsItsChainAndLog() {
        browser.signIn(browser.adminToken());
        browser.open("#/conversion/jobs?model=kws-small");
        browser.screenshot("jobs");
        browser.axe("jobs");
        browser.navigateBy(() -> browser.link("Job " + jobId).click());
        browser.heading("Conversion job " + jobId);
        browser.waitFor("the job finished", () -> {
            String status = browser.driver().findElement(By.cssSelector("[data-testid=job-status]")).getText().strip();
            return status.equals("succeeded") || status.equals("failed") ? status : null;
        });
        browser.waitFor("the job's log", () -> !browser.driver().findElements(By.cssSelector("[data-testid=job-log]")).isEmpty()
                && !browser.driver().findElement(By.cssSelector("[data-testid=job-log]")).getText().isBlank());
        assertTrue(browser.bodyText().contains("int8-weights-qdq"), "the chain: " + browser.bodyText());
        browser.screenshot("job");
        browser.axe("job");
    }
}
