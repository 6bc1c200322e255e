import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.Expectations;
import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.Signer;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerifiedRelease;
import dev.modelyard.wire.trust.Verifier;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * How long the device's checks take for a 1 GiB artifact: hashing the content versus checking
 * the signature on its metadata, and how fast the server signs metadata.
 *
 * <p>Run from the repository root after building the wire module:
 * {@code java -cp wire/target/classes bench/trust/TrustBench.java [sizeMiB]}
 */
public class TrustBench {

    private static final int MIB = 1 << 20;
    // Long enough for the JIT to compile the paths being measured before timing starts.
    private static final Duration WARMUP = Duration.ofSeconds(3);
    private static final Duration ROUND = Duration.ofSeconds(2);
    private static final int ROUNDS = 5;
    private static long sink;

    public static void main(String[] args) throws Exception {
        int sizeMiB = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        System.out.printf("java %s, %d cores, artifact %d MiB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), sizeMiB);

        KeyPair rootKey = Ed25519.generate();
        KeyPair releaseKey = Ed25519.generate();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        SignedEnvelope root = Signer.of(rootKey).sign(RootMetadata.create(1, now.plus(Duration.ofDays(365)),
                List.of(rootKey.getPublic()), 1, List.of(releaseKey.getPublic()), 1));
        Verifier verifier = new Verifier(new TrustStore(root));
        DeviceFacts device = new DeviceFacts("x86_64", List.of("cpu"), "onnxruntime", "1.18.0", 4096, "linux");
        Expectations expect = new Expectations("default", "kws", device, 6L, null, Clock.systemUTC(),
                Duration.ofMinutes(5), 4L << 30);
        Signer signer = Signer.of(releaseKey);

        Path dir = Files.createTempDirectory("trust-bench");
        Path file = dir.resolve("model.onnx");
        try {
            String sha256 = writeArtifact(file, sizeMiB);
            ArtifactMetadata meta = new ArtifactMetadata("default", "kws", "1.2.0", 7,
                    new ArtifactMetadata.ArtifactFile("model.onnx", sha256, Files.size(file)),
                    new TargetDescriptor("onnx", "onnxruntime", ">=1.17", "any", "cpu", "int8", 256, null),
                    now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(90)));
            SignedEnvelope envelope = signer.sign(meta);
            byte[] envelopeJson = envelope.toJsonBytes();
            byte[] canonical = envelope.canonicalSigned();
            byte[] signature = envelope.signatures().get(0).bytes();
            System.out.printf("metadata: %d bytes canonical, %d bytes as a file%n", canonical.length, envelopeJson.length);

            double rawVerifyUs = microsPerOp(() -> sink += Ed25519.verify(releaseKey.getPublic(), canonical, signature) ? 1 : 0);
            double releaseUs = microsPerOp(() -> sink += verifier.verifyRelease(envelope, expect).size());
            double parseReleaseUs = microsPerOp(() ->
                    sink += verifier.verifyRelease(SignedEnvelope.parse(envelopeJson), expect).size());
            double rawSignUs = microsPerOp(() -> sink += Ed25519.sign(releaseKey.getPrivate(), canonical)[0]);
            double signUs = microsPerOp(() -> sink += signer.sign(meta).signatures().size());

            VerifiedRelease release = verifier.verifyRelease(envelope, expect);
            double[] hashSeconds = new double[3];
            for (int i = 0; i < hashSeconds.length; i++) {
                long t = System.nanoTime();
                Verifier.verifyFile(release, file);
                hashSeconds[i] = (System.nanoTime() - t) / 1e9;
            }
            double bestHash = Arrays.stream(hashSeconds).min().orElseThrow();

            System.out.println();
            System.out.println("| measurement | result |");
            System.out.println("|---|---|");
            System.out.printf("| verifyFile, %d MiB (streaming SHA-256, file in page cache), runs | %s s |%n", sizeMiB,
                    String.join(" / ", Arrays.stream(hashSeconds).mapToObj(s -> String.format("%.2f", s)).toList()));
            System.out.printf("| verifyFile throughput (best run) | %.0f MiB/s |%n", sizeMiB / bestHash);
            System.out.printf("| Ed25519 verify of the canonical metadata | %.1f µs |%n", rawVerifyUs);
            System.out.printf("| verifyRelease (all checks, envelope already parsed) | %.1f µs |%n", releaseUs);
            System.out.printf("| parse envelope JSON + verifyRelease | %.1f µs |%n", parseReleaseUs);
            System.out.printf("| signature check share of a %d MiB verification | %.4f %% |%n", sizeMiB,
                    100 * parseReleaseUs / (bestHash * 1e6 + parseReleaseUs));
            System.out.printf("| Ed25519 sign of the canonical metadata | %.1f µs (%.0f signatures/s) |%n",
                    rawSignUs, 1e6 / rawSignUs);
            System.out.printf("| Signer.sign(artifact metadata), incl. canonicalization | %.1f µs (%.0f signatures/s) |%n",
                    signUs, 1e6 / signUs);
            System.out.println("(ignore: " + sink + ")");
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    /** Writes pseudo-random content and returns its SHA-256; hashing here is not measured. */
    private static String writeArtifact(Path file, int sizeMiB) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[MIB];
        Random random = new Random(42);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < sizeMiB; i++) {
                random.nextBytes(chunk);
                sha.update(chunk);
                ByteBuffer buf = ByteBuffer.wrap(chunk);
                while (buf.hasRemaining()) ch.write(buf);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private interface Op {
        void run() throws Exception;
    }

    /**
     * Median over {@link #ROUNDS} rounds of the mean time per operation, after a warm-up; the
     * median keeps a round disturbed by a neighbour on a shared machine from skewing the result.
     */
    private static double microsPerOp(Op op) throws Exception {
        runFor(op, WARMUP);
        double[] rounds = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long[] result = runFor(op, ROUND);
            rounds[i] = result[1] / 1e3 / result[0];
        }
        Arrays.sort(rounds);
        return rounds[ROUNDS / 2];
    }

    private static long[] runFor(Op op, Duration duration) throws Exception {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long count = 0;
        long t;
        do {
            for (int i = 0; i < 100; i++) op.run();
            count += 100;
            t = System.nanoTime();
        } while (t < end);
        return new long[] {count, t - start};
    }
}
