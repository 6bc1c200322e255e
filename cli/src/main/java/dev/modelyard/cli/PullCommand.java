package dev.modelyard.cli;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.Expectations;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.VerificationException;
import dev.modelyard.wire.trust.Verifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "pull", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download an artifact of a version (named, or the one matching --target) to a file.",
                "The bytes go to FILE.part first; a pull that broke continues from the part's size (Range, if the "
                        + "content is still the same), then the whole file is checked against the artifact's SHA-256 "
                        + "and, with a trust bundle (--trust-bundle or the context's), against the signed release "
                        + "metadata, and only then renamed to FILE."})
final class PullCommand extends Action {

    @Mixin
    VersionRef ref;

    @Parameters(index = "2", arity = "0..1", paramLabel = "ARTIFACT", description = "The artifact's file name or id (default: the one matching --target).")
    String artifactName;

    @Mixin
    TargetSpec target;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Where to write it (default: the artifact's file name, here).")
    Path out;

    @Option(names = "--trust-bundle", paramLabel = "FILE", description = "Verify the release's signature against this root (default: the context's, if any).")
    Path trustBundle;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "5",
            description = "How often to resume after a broken connection in a row before giving up (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto", converter = Progress.ModeConverter.class,
            description = "auto (a bar on a terminal), bar, plain or none (default: ${DEFAULT-VALUE}).")
    Progress.Mode progressMode;

    @Mixin
    Remote remote;

    @Mixin
    OutputFormat.Option output;

    /** What a pull wrote. */
    record Pulled(String file, String model, String version, String artifact, String sha256, long size, long resumedFrom,
                  boolean signatureVerified) {
    }

    @Override
    void run(Main.Context context) throws Exception {
        ModelyardClient client = remote.client(context);
        Remote.Target where = remote.resolve(context);
        Artifacts.Artifact a = choose(client);
        Path file = (out != null ? out : Path.of(a.filename())).toAbsolutePath();
        Path part = file.resolveSibling(file.getFileName() + ".part");
        Files.createDirectories(file.getParent());
        Path bundle = trustBundle != null ? trustBundle : where.trustBundle();

        long resumedFrom = download(context, client, a, part);
        String digest = sha256(part);
        if (!digest.equals(a.sha256())) {
            Files.deleteIfExists(part);
            throw new CliException(a.filename() + ": the downloaded bytes have SHA-256 " + digest + ", the artifact " + a.sha256()
                    + "; nothing was kept, pull again");
        }
        if (bundle != null) verifySignature(context, client, a, part, bundle);
        try {
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
        }
        Pulled pulled = new Pulled(file.toString(), a.model(), a.version(), a.filename(), a.sha256(), a.size(), resumedFrom, bundle != null);
        output.orElse(OutputFormat.TABLE).print(context.out(), pulled, () -> "pulled " + a.model() + " " + a.version() + " "
                + a.filename() + " to " + file + " (" + Progress.bytes(a.size()) + ", sha256 " + a.sha256()
                + (resumedFrom > 0 ? ", resumed at " + Progress.bytes(resumedFrom) : "")
                + (bundle != null ? ", signature verified" : "") + ")");
    }

    private Artifacts.Artifact choose(ModelyardClient client) throws CliException {
        if (artifactName != null) return client.artifacts().get(ref.model, ref.version, artifactName);
        TargetDescriptor t = target.get();
        List<Artifacts.Artifact> found = client.artifacts().list(ref.model, ref.version,
                new Artifacts.Filter(t.format(), t.runtime(), t.arch(), t.accelerator(), t.precision(), null, null, 100)).items();
        if (found.size() == 1) return found.get(0);
        if (found.isEmpty()) throw new CliException(ref.model + " " + ref.version + " has no artifact matching the target; list them with 'modelyard ls "
                + ref.model + " " + ref.version + "'");
        throw new CliException(ref.model + " " + ref.version + " has " + found.size() + " artifacts matching: "
                + String.join(", ", found.stream().map(Artifacts.Artifact::filename).toList()) + "; name one, or narrow with --target");
    }

    /** Fills {@code part} up to the artifact's size, resuming from what it holds; returns where this run started. */
    private long download(Main.Context context, ModelyardClient client, Artifacts.Artifact a, Path part) throws Exception {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > a.size()) {
            Files.delete(part);
            have = 0;
        }
        long startedAt = have;
        Progress progress = Progress.start(context, progressMode, a.filename(), a.size());
        if (have > 0) progress.note("resuming at " + Progress.bytes(have));
        int failures = 0;
        while (have < a.size()) {
            try (Artifacts.Content content = client.artifacts().openFrom(ref.model, ref.version, a.id().toString(), have, a.sha256())) {
                if (content.start() == 0 && have > 0) {
                    progress.note("the server sent the whole content; starting over");
                    startedAt = 0;
                }
                have = append(content.body(), part, content.start(), progress);
                failures = 0;
            } catch (UncheckedIOException | IOException broken) {
                have = Files.exists(part) ? Files.size(part) : 0;
                if (++failures > retries) {
                    progress.finish();
                    throw new CliException("the download broke " + failures + " times in a row at " + Progress.bytes(have) + " ("
                            + Main.oneLine(broken.getMessage()) + "); run the same command again to continue");
                }
                Duration wait = PushCommand.backoff(failures);
                progress.note("connection broke at " + Progress.bytes(have) + "; resuming in " + wait.toSeconds() + " s (" + failures + "/" + retries + ")");
                Thread.sleep(wait.toMillis());
            } catch (ApiProblemException e) {
                if (!"range-not-satisfiable".equals(e.code())) throw e;
                Files.deleteIfExists(part); // the part does not fit the content any more
                have = 0;
                startedAt = 0;
            }
        }
        progress.finish();
        if (!Files.exists(part)) Files.createFile(part); // an empty artifact
        return startedAt;
    }

    /** Writes the body into {@code part} from {@code start} (0: the part is replaced); returns the part's size. */
    private static long append(InputStream body, Path part, long start, Progress progress) throws IOException {
        StandardOpenOption mode = start == 0 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND;
        long position = start;
        try (OutputStream o = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = body.read(buf)) > 0; ) {
                o.write(buf, 0, n);
                position += n;
                progress.at(position);
            }
        }
        return position;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * The release metadata's signature against the trusted root, its validity, tenant and model, and
     * the file against the signed digest and size. The machine pulling is not the device, so whether
     * a device could run the target is not judged here (the verifier's target check is the last
     * before the size, and a target refusal still means the document was authentic).
     */
    private void verifySignature(Main.Context context, ModelyardClient client, Artifacts.Artifact a, Path part, Path bundle)
            throws Exception {
        SignedEnvelope envelope = SignedEnvelope.parse(client.artifacts().signedMetadata(a.model(), a.version(), a.id().toString())
                .getBytes(StandardCharsets.UTF_8));
        String tenant = client.session().get().tenant().id();
        DeviceFacts anyDevice = new DeviceFacts("x86_64", List.of("cpu"), "onnxruntime", "1.20.0", Long.MAX_VALUE, null);
        Expectations expect = new Expectations(tenant, a.model(), anyDevice, null, null, context.clock(),
                Duration.ofMinutes(VerifyCommand.SKEW_MINUTES), Long.MAX_VALUE);
        ArtifactMetadata meta;
        try {
            meta = new Verifier(RootCommand.trustStore(bundle)).verifyRelease(envelope, expect).metadata();
        } catch (VerificationException e) {
            if (e.reason() != VerificationException.Reason.WRONG_TARGET) {
                Files.deleteIfExists(part);
                throw new Refused(e, a.filename());
            }
            meta = ArtifactMetadata.fromMap(envelope.signed());
        }
        if (!meta.version().equals(a.version()) || !meta.artifact().sha256().equals(a.sha256()) || meta.artifact().size() != a.size()) {
            Files.deleteIfExists(part);
            throw new CliException(a.filename() + ": the signed release metadata is for " + meta.version() + " sha256 "
                    + meta.artifact().sha256() + " (" + meta.artifact().size() + " bytes), not the downloaded file; nothing was kept");
        }
    }
}
