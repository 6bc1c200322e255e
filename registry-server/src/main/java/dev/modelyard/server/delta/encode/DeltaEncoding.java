package dev.modelyard.server.delta.encode;

import dev.modelyard.delta.ChunkDelta;
import dev.modelyard.delta.DeltaHeader;
import dev.modelyard.delta.DeltaWriter;
import dev.modelyard.delta.PlainDelta;
import dev.modelyard.server.storage.Digests;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Makes delta files (the {@code modelyard-delta} format): files in, a file out, no database and
 * no CDI, so the builder, tests and {@code bench/delta} call the same code. For each request it
 * tries the encoders that apply to the target's format — tensor-aware for ONNX (and TFLite),
 * content-defined chunks for any file, byte planes or plain zstd without a base — and keeps the
 * smallest.
 */
public final class DeltaEncoding {

    /** Tensor-aware against a base: unchanged tensors copied, changed ones XOR'd in byte planes. */
    public static final String ONNX_TENSORS = "onnx-tensors";
    /** The same for TensorFlow Lite: the flatbuffer's constant buffers are its tensors. */
    public static final String TFLITE_TENSORS = "tflite-tensors";
    /** Content-defined chunks of the base copied, the rest literal: any file. */
    public static final String CHUNKS = ChunkDelta.METHOD;
    /** Without a base: a model's tensors in byte planes, the rest literal. */
    public static final String PLANES = "planes";
    /** Without a base: the file as literals, compressed by zstd alone. */
    public static final String ZSTD = PlainDelta.METHOD;

    private DeltaEncoding() {
    }

    /**
     * @param base         the base file, or null for a compressed full file
     * @param baseSha256   its lower-case hex SHA-256 (null without a base)
     * @param target       the file to rebuild
     * @param targetSha256 its lower-case hex SHA-256
     * @param format       the target artifact's format (onnx, tflite, ort, …): decides which encoders apply
     * @param level        zstd level
     * @param scratch      a directory for temporary files (each encoder's output before the smallest is kept)
     */
    public record Request(Path base, String baseSha256, Path target, String targetSha256, String format, int level,
                          Path scratch) {
    }

    /** The delta written: the encoder that won, its size and SHA-256, and how long encoding took in all. */
    public record Encoded(String method, long size, String sha256, long millis) {
    }

    /** Writes the smallest delta for {@code request} to {@code out} (replaced). */
    public static Encoded encode(Request request, Path out) throws IOException {
        check(request);
        long started = System.nanoTime();
        Files.createDirectories(request.scratch());
        List<Written> written = new ArrayList<>();
        try (FileChannel target = FileChannel.open(request.target(), StandardOpenOption.READ);
             FileChannel base = request.base() == null ? null : FileChannel.open(request.base(), StandardOpenOption.READ)) {
            for (Candidate c : candidates(request, base, target)) written.add(write(c, request, base));
            Written best = written.stream().min(Comparator.comparingLong(Written::size)).orElseThrow();
            move(best.file(), out);
            written.remove(best);
            return new Encoded(best.method(), best.size(), best.sha256(), (System.nanoTime() - started) / 1_000_000);
        } finally {
            for (Written w : written) Files.deleteIfExists(w.file());
        }
    }

    private static void check(Request r) {
        if (r.target() == null || r.targetSha256() == null || r.scratch() == null) {
            throw new IllegalArgumentException("a request names its target, the target's SHA-256 and a scratch directory");
        }
        if ((r.base() == null) != (r.baseSha256() == null)) {
            throw new IllegalArgumentException("a base comes with its SHA-256, and no SHA-256 without a base");
        }
        if (r.level() < 1 || r.level() > 19) throw new IllegalArgumentException("zstd level outside 1–19: " + r.level());
    }

    /** One way of describing the target to a writer. */
    @FunctionalInterface
    private interface Body {
        void describe(DeltaWriter out) throws IOException;
    }

    private record Candidate(String method, Body body) {
    }

    private record Written(String method, Path file, long size, String sha256) {
    }

    /**
     * The encoders worth trying. A model's tensor map comes from one positional scan of each file;
     * a file that does not parse as its format simply has none, and the generic encoders remain.
     */
    private static List<Candidate> candidates(Request r, FileChannel base, FileChannel target) throws IOException {
        List<Candidate> list = new ArrayList<>();
        Optional<List<TensorRange>> targetTensors = tensors(r.format(), target);
        if (base != null) {
            if (targetTensors.isPresent()) {
                // a base that does not parse still helps: its bytes are simply not matched tensor by tensor
                List<TensorRange> baseTensors = tensors(r.format(), base).orElse(List.of());
                List<TensorRange> tt = targetTensors.get();
                list.add(new Candidate(tensorMethod(r.format()), w -> TensorDelta.encode(base, baseTensors, target, tt, w)));
            }
            list.add(new Candidate(CHUNKS, w -> ChunkDelta.encode(r.base(), r.target(), w)));
        } else {
            targetTensors.ifPresent(tt -> list.add(new Candidate(PLANES, w -> TensorDelta.planes(target, tt, w))));
            list.add(new Candidate(ZSTD, w -> PlainDelta.encode(r.target(), w)));
        }
        return list;
    }

    /** The tensors of a file in a format this package can map, else empty. */
    private static Optional<List<TensorRange>> tensors(String format, FileChannel file) throws IOException {
        return switch (normalized(format)) {
            case "onnx" -> OnnxTensorScan.scan(file);
            case "tflite" -> TfliteTensorScan.scan(file);
            default -> Optional.empty();
        };
    }

    private static String tensorMethod(String format) {
        return normalized(format).equals("tflite") ? TFLITE_TENSORS : ONNX_TENSORS;
    }

    private static String normalized(String format) {
        return format == null ? "" : format.toLowerCase(Locale.ROOT);
    }

    private static Written write(Candidate c, Request r, FileChannel base) throws IOException {
        Path file = Files.createTempFile(r.scratch(), "delta-" + c.method() + "-", ".part");
        try {
            MessageDigest sha = Digests.sha256();
            DeltaHeader header = new DeltaHeader(c.method(), r.baseSha256(), base == null ? 0 : base.size(),
                    r.targetSha256(), Files.size(r.target()));
            try (DeltaWriter w = new DeltaWriter(new DigestOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), sha), header, r.level())) {
                c.body().describe(w);
                w.finish();
            }
            return new Written(c.method(), file, Files.size(file), Digests.hex(sha.digest()));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
