package dev.modelyard.server.delta.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.delta.DeltaApplier;
import dev.modelyard.delta.DeltaHeader;
import dev.modelyard.server.storage.Digests;
import dev.modelyard.testing.DeltaModels;
import dev.modelyard.testing.TfliteModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every delta rebuilds its target exactly through the device's applier, and the tensor-aware one
 * reaches the sizes the issue sets: a retrained head costs no more than the bytes that changed, a
 * full fine-tune at most 72 % of the file, and byte planes beat zstd on a whole model.
 */
class DeltaEncodingTest {

    /** 4 layers of 512 × 512 float32: a 4 MiB model, fast enough for every case. */
    private static final DeltaModels.Mlp V1 = DeltaModels.mlp(512, 4, 1);
    private static final int LEVEL = 6;
    /** The graph, names and headers a delta may spend beyond the changed bytes. */
    private static final long OVERHEAD = 8 * 1024;

    @TempDir
    Path dir;

    @Test
    void lastLayersChangedCostsNoMoreThanTheChangedFraction() throws Exception {
        Result r = roundTrip(V1, V1.lastLayersChanged(0.08), "onnx");
        assertEquals(DeltaEncoding.ONNX_TENSORS, r.encoded.method());
        assertAtMost(r, 0.08 * r.targetSize + OVERHEAD);
    }

    @Test
    void aFullFineTuneCostsAtMost72PercentOfTheFile() throws Exception {
        Result r = roundTrip(V1, V1.fineTuned(9), "onnx");
        assertEquals(DeltaEncoding.ONNX_TENSORS, r.encoded.method());
        assertAtMost(r, 0.72 * r.targetSize);
    }

    @Test
    void fp16LastLayersChangedCostsNoMoreThanTheChangedFraction() throws Exception {
        Result r = roundTrip(V1.fp16(), V1.fp16().lastLayersChanged(0.08), "onnx");
        assertEquals(DeltaEncoding.ONNX_TENSORS, r.encoded.method());
        assertAtMost(r, 0.08 * r.targetSize + OVERHEAD);
    }

    @Test
    void fp16FineTuneSavesWhatGenericChunksCannot() throws Exception {
        Result r = roundTrip(V1.fp16(), V1.fp16().fineTuned(9), "onnx");
        assertEquals(DeltaEncoding.ONNX_TENSORS, r.encoded.method());
        long chunks = sizeOf(V1.fp16(), V1.fp16().fineTuned(9), "other");
        assertTrue(r.encoded.size() < 0.9 * chunks, r.encoded + " against chunks " + chunks);
    }

    @Test
    void int8ModelsRoundTripAndAChangedHeadStaysSmall() throws Exception {
        Result head = roundTrip(V1.int8(), V1.int8().lastLayersChanged(0.08), "onnx");
        assertEquals(DeltaEncoding.ONNX_TENSORS, head.encoded.method());
        assertAtMost(head, 0.08 * head.targetSize + OVERHEAD);
        Result tuned = roundTrip(V1.int8(), V1.int8().fineTuned(9), "onnx");
        assertTrue(tuned.encoded.size() < tuned.targetSize, tuned.encoded.toString());
    }

    @Test
    void aChangedTensorSetCopiesRenamedAndReshapedTensorsAndSendsOnlyNewBytes() throws Exception {
        DeltaModels.Mlp v2 = V1.tensorSetChanged();
        Result r = roundTrip(V1, v2, "onnx");
        assertEquals(DeltaEncoding.ONNX_TENSORS, r.encoded.method());
        // new values: the narrowed last weight (512 × 256 float32) and the gain; w0 (reshaped), w1
        // (renamed) and w2 are copied whatever their names and dims now are
        long newBytes = 512L * 256 * 4 + 256 * 4;
        assertAtMost(r, newBytes + OVERHEAD);
        for (DeltaModels.Mlp m : new DeltaModels.Mlp[] {V1.fp16(), V1.int8()}) {
            roundTrip(m, m.tensorSetChanged(), "onnx");
        }
    }

    @Test
    void tfliteBuffersAreTensorsToo() throws Exception {
        Path base = Files.write(dir.resolve("v1.tflite"), TfliteModels.model(TfliteTensorScanTest.tensors(1, 0)));
        Path target = Files.write(dir.resolve("v2.tflite"), TfliteModels.model(TfliteTensorScanTest.tensors(1, 1e-3)));
        Result r = roundTrip(base, target, "tflite");
        assertEquals(DeltaEncoding.TFLITE_TENSORS, r.encoded.method());
        assertAtMost(r, 0.8 * r.targetSize);
        assertEquals(DeltaEncoding.PLANES, roundTrip(null, target, "tflite").encoded.method());
    }

    @Test
    void anUnchangedModelIsAlmostFree() throws Exception {
        Result r = roundTrip(V1, V1, "onnx");
        assertAtMost(r, 1024);
    }

    @Test
    void aNonOnnxPayloadGetsTheGenericDelta() throws Exception {
        byte[] v1 = new byte[3 << 20];
        new Random(4).nextBytes(v1);
        byte[] v2 = new byte[v1.length + 10];
        // ten bytes inserted near the start: content-defined chunks resynchronise after them
        System.arraycopy(v1, 0, v2, 0, 1000);
        System.arraycopy(v1, 1000, v2, 1010, v1.length - 1000);
        Path base = Files.write(dir.resolve("v1.bin"), v1), target = Files.write(dir.resolve("v2.bin"), v2);
        Result r = roundTrip(base, target, "tflite");
        assertEquals(DeltaEncoding.CHUNKS, r.encoded.method());
        assertAtMost(r, 64 * 1024);
        // the same bytes declared ONNX: they do not parse, so the generic delta is all there is
        assertEquals(DeltaEncoding.CHUNKS, roundTrip(base, target, "onnx").encoded.method());
    }

    @Test
    void aCorruptOnnxTargetOrBaseStillRoundTrips() throws Exception {
        Path good = V1.write(dir.resolve("good.onnx"));
        byte[] bytes = Files.readAllBytes(V1.fineTuned(2).write(dir.resolve("tuned.onnx")));
        Path truncated = Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(bytes, bytes.length - 100));
        assertEquals(DeltaEncoding.CHUNKS, roundTrip(good, truncated, "onnx").encoded.method());
        // a base that does not parse: the target's tensors are still sent in planes
        Path garbage = Files.write(dir.resolve("garbage.onnx"), Arrays.copyOf(bytes, 5000));
        assertEquals(DeltaEncoding.ONNX_TENSORS, roundTrip(garbage, good, "onnx").encoded.method());
    }

    @Test
    void withoutABaseBytePlanesBeatPlainZstdOnAFloatModel() throws Exception {
        Path target = V1.fineTuned(3).write(dir.resolve("model.onnx"));
        Result planes = roundTrip(null, target, "onnx");
        assertEquals(DeltaEncoding.PLANES, planes.encoded.method());
        Result zstd = roundTrip(null, target, "ort");
        assertEquals(DeltaEncoding.ZSTD, zstd.encoded.method());
        assertTrue(planes.encoded.size() < zstd.encoded.size(), planes.encoded + " against " + zstd.encoded);
        assertTrue(planes.encoded.size() < 0.9 * planes.targetSize, planes.encoded.toString());
    }

    @Test
    void onlyTheWinnerIsLeftAndAnExistingOutputIsReplaced() throws Exception {
        Path base = V1.write(dir.resolve("v1.onnx")), target = V1.lastLayersChanged(0.2).write(dir.resolve("v2.onnx"));
        Path out = Files.writeString(dir.resolve("out.mydelta"), "old");
        Path scratch = dir.resolve("scratch");
        DeltaEncoding.Encoded e = DeltaEncoding.encode(request(base, target, "onnx", scratch), out);
        assertEquals(e.size(), Files.size(out));
        assertEquals(e.sha256(), sha256(out));
        assertEquals(e.method(), DeltaApplier.header(out).method());
        try (Stream<Path> left = Files.list(scratch)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void aRequestMustBeCoherent() throws Exception {
        Path target = V1.write(dir.resolve("v1.onnx"));
        Path out = dir.resolve("out");
        String sha = sha256(target);
        assertThrows(IllegalArgumentException.class, () -> DeltaEncoding.encode(
                new DeltaEncoding.Request(target, null, target, sha, "onnx", LEVEL, dir), out));
        assertThrows(IllegalArgumentException.class, () -> DeltaEncoding.encode(
                new DeltaEncoding.Request(null, sha, target, sha, "onnx", LEVEL, dir), out));
        assertThrows(IllegalArgumentException.class, () -> DeltaEncoding.encode(
                new DeltaEncoding.Request(null, null, target, sha, "onnx", 0, dir), out));
        assertTrue(Files.notExists(out));
    }

    // ------------------------------------------------------------------

    private record Result(DeltaEncoding.Encoded encoded, long targetSize) {
    }

    private static void assertAtMost(Result r, double bytes) {
        assertTrue(r.encoded.size() <= bytes, r.encoded + ": " + r.encoded.size() + " bytes, "
                + String.format("%.1f %%", 100.0 * r.encoded.size() / r.targetSize) + " of the target; at most "
                + (long) bytes + " expected");
    }

    private Result roundTrip(DeltaModels.Mlp v1, DeltaModels.Mlp v2, String format) throws IOException {
        Path base = v1.write(Files.createTempFile(dir, "v1-", ".onnx"));
        Path target = v2.write(Files.createTempFile(dir, "v2-", ".onnx"));
        return roundTrip(base, target, format);
    }

    private long sizeOf(DeltaModels.Mlp v1, DeltaModels.Mlp v2, String format) throws IOException {
        return roundTrip(v1, v2, format).encoded.size();
    }

    /** Encodes, applies as a device does, and checks the rebuilt file is the target, byte for byte. */
    private Result roundTrip(Path base, Path target, String format) throws IOException {
        Path delta = Files.createTempFile(dir, "delta-", ".mydelta");
        DeltaEncoding.Encoded e = DeltaEncoding.encode(request(base, target, format, dir.resolve("scratch")), delta);
        assertEquals(Files.size(delta), e.size());
        assertEquals(sha256(delta), e.sha256());
        DeltaHeader header = DeltaApplier.header(delta);
        assertEquals(e.method(), header.method());
        assertEquals(sha256(target), header.targetSha256());
        Path rebuilt = dir.resolve("rebuilt");
        DeltaApplier.Applied applied = DeltaApplier.apply(delta, base, base == null ? null : sha256(base), rebuilt);
        assertEquals(Files.size(target), applied.size());
        assertEquals(-1L, Files.mismatch(target, rebuilt), "the rebuilt file differs from the target");
        assertArrayEquals(java.util.HexFormat.of().parseHex(sha256(target)), applied.sha256());
        return new Result(e, Files.size(target));
    }

    private DeltaEncoding.Request request(Path base, Path target, String format, Path scratch) throws IOException {
        return new DeltaEncoding.Request(base, base == null ? null : sha256(base), target, sha256(target), format, LEVEL,
                scratch);
    }

    static String sha256(Path file) throws IOException {
        java.security.MessageDigest md = Digests.sha256();
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return Digests.hex(md.digest());
    }
}
