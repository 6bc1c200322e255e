package dev.modelyard.e2e.console;

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
