package dev.modelyard.cli;

import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.Expectations;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerificationException;
import dev.modelyard.wire.trust.VerifiedRelease;
import dev.modelyard.wire.trust.Verifier;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a release and its artifact file exactly as a device would: the release metadata "
                + "against the trusted root and the device's facts, then the file against the signed size and SHA-256.",
                "Prints OK with the model, version, release counter and SHA-256, or 'refused: REASON: …'. "
                        + "Clock skew of " + VerifyCommand.SKEW_MINUTES + " minutes is tolerated."})
final class VerifyCommand extends Action {

    static final int SKEW_MINUTES = 5;

    @Option(names = "--root", required = true, paramLabel = "FILE", description = "The trusted root (e.g. trust-bundle.json).")
    Path root;

    @Option(names = "--metadata", required = true, paramLabel = "FILE", description = "The signed release metadata.")
    Path metadata;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "The artifact file.")
    Path file;

    @Option(names = "--tenant", paramLabel = "NAME", defaultValue = "default", description = "Expected tenant (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Expected model.")
    String model;

    @Option(names = "--arch", paramLabel = "ARCH", defaultValue = "x86_64", description = "Device architecture (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = "--accelerator", paramLabel = "NAME", split = ",", defaultValue = "cpu",
            description = "Accelerator the device has; repeat or separate with commas (default: ${DEFAULT-VALUE}).")
    List<String> accelerators;

    @Option(names = "--runtime", paramLabel = "NAME", defaultValue = "onnxruntime", description = "Device runtime (default: ${DEFAULT-VALUE}).")
    String runtime;

    @Option(names = "--runtime-version", paramLabel = "VERSION", defaultValue = "1.20.0",
            description = "Device runtime version (default: ${DEFAULT-VALUE}).")
    String runtimeVersion;

    @Option(names = "--os", paramLabel = "NAME", defaultValue = "linux", description = "Device operating system (default: ${DEFAULT-VALUE}).")
    String os;

    @Option(names = "--memory-mb", paramLabel = "N", description = "Memory available to models (default: not limited).")
    Long memoryMb;

    @Option(names = "--installed-counter", paramLabel = "N",
            description = "Release counter of the installed release; a lower one is refused as a rollback (default: nothing installed).")
    Long installedCounter;

    @Option(names = "--max-size", paramLabel = "BYTES", description = "Largest artifact the device accepts (default: not limited).")
    Long maxSize;

    @Override
    void run(Main.Context context) throws Exception {
        Expectations expect;
        try {
            DeviceFacts device = new DeviceFacts(arch, accelerators, runtime, runtimeVersion,
                    memoryMb == null ? Long.MAX_VALUE : memoryMb, os);
            expect = new Expectations(tenant, model, device, installedCounter, null, context.clock(),
                    Duration.ofMinutes(SKEW_MINUTES), maxSize == null ? Long.MAX_VALUE : maxSize);
        } catch (IllegalArgumentException e) {
            throw new CliException("device: " + e.getMessage());
        }
        TrustStore trust = RootCommand.trustStore(root);
        SignedEnvelope release = Io.readEnvelope(metadata);
        VerifiedRelease verified;
        try {
            verified = new Verifier(trust).verifyRelease(release, expect);
        } catch (VerificationException e) {
            throw new Refused(e, null);
        }
        try {
            Verifier.verifyFile(verified, file);
        } catch (VerificationException e) {
            throw new Refused(e, file.toString());
        } catch (IOException e) {
            throw new CliException(Io.describe(e));
        }
        ArtifactMetadata m = verified.metadata();
        context.out().println("OK " + m.tenant() + "/" + m.model() + " " + m.version() + " counter " + m.releaseCounter()
                + " sha256 " + m.artifact().sha256() + " (" + m.artifact().filename() + ", " + m.artifact().size() + " bytes)");
    }
}
