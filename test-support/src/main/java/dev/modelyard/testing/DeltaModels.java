package dev.modelyard.testing;

import dev.modelyard.testing.OnnxModels.Proto;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Pairs of real ONNX models for delta updates, written field by field and streamed to a file, so
 * a 500 MB model never sits in memory: a multi-layer perceptron {@code y = relu(…relu(x W0)…) W(n-1) + bias}
 * of {@code layers} square float weight matrices, and the versions a v2 of it typically is:
 * <ul>
 * <li>{@link Mlp#lastLayersChanged(double)}: the last fraction of the weight bytes retrained (the head);</li>
 * <li>{@link Mlp#fineTuned(long)}: every weight {@code w + 1e-3·noise} (seeded);</li>
 * <li>{@link Mlp#fp16()}: float16 initializers, each followed by a {@code Cast} to float32 (as the
 *     registry's fp16-weights converter writes them);</li>
 * <li>{@link Mlp#int8()}: weights quantized per tensor, int8 and uint8 layers alternating, each with a
 *     scale and zero point feeding {@code DequantizeLinear} (QDQ);</li>
 * <li>{@link Mlp#tensorSetChanged()}: a tensor added ({@code gain}), one removed ({@code bias}), one
 *     renamed ({@code w1} → {@code layer1.weight}, same bytes), one reshaped with the same bytes
 *     ({@code w0} stored flat, followed by a {@code Reshape}) and one reshaped with different bytes
 *     (the last weight narrowed to half the outputs).</li>
 * </ul>
 * Variants combine ({@code mlp.fp16().fineTuned(7)}); every model runs in ONNX Runtime (opset 13,
 * inputs and outputs float32 [batch, width]). Values are drawn per tensor from the seed and the
 * tensor's logical identity, so a renamed or reshaped tensor keeps its bytes and an untouched tensor
 * is byte-identical between versions.
 */
public final class DeltaModels {

    /** How weights are stored. */
    public enum Precision { FP32, FP16, INT8 }

    /** The standard deviation of the fine-tuning noise, in absolute weight units. */
    public static final double FINE_TUNE_NOISE = 1e-3;

    private static final int FLOAT = 1, UINT8 = 2, INT8 = 3, INT64 = 7, FLOAT16 = 10;
    private static final int BLOCK_ELEMENTS = 1 << 16;

    private DeltaModels() {
    }

    /** A float32 MLP of {@code layers} weight matrices {@code width × width} (width even, layers ≥ 3). */
    public static Mlp mlp(int width, int layers, long seed) {
        return new Mlp(width, layers, seed, Precision.FP32, 0, 0, false);
    }

    /** An MLP whose float32 weights take about {@code bytes} in all (the file is a little larger; fp16 and int8 variants smaller). */
    public static Mlp ofSize(long bytes, int layers, long seed) {
        int width = (int) Math.max(2, Math.round(Math.sqrt(bytes / 4.0 / layers)));
        return mlp(width + (width & 1), layers, seed);
    }

    /**
     * One model, described by how it differs from the v1 of the same {@code seed}.
     *
     * @param changedTail  the fraction of the weight elements, counted from the end in file order, re-drawn (0: none)
     * @param fineTuneSeed the seed of the noise added to every weight (0: none)
     */
    public record Mlp(int width, int layers, long seed, Precision precision, double changedTail, long fineTuneSeed,
                      boolean changedTensorSet) {

        public Mlp {
            if (width < 2 || width % 2 != 0) throw new IllegalArgumentException("width must be even and at least 2: " + width);
            if (layers < 3) throw new IllegalArgumentException("at least 3 layers: " + layers);
            if (changedTail < 0 || changedTail > 1) throw new IllegalArgumentException("changed fraction outside [0, 1]: " + changedTail);
        }

        public Mlp fp16() {
            return new Mlp(width, layers, seed, Precision.FP16, changedTail, fineTuneSeed, changedTensorSet);
        }

        public Mlp int8() {
            return new Mlp(width, layers, seed, Precision.INT8, changedTail, fineTuneSeed, changedTensorSet);
        }

        /** The same model with the last {@code fraction} of its weight elements (file order) retrained. */
        public Mlp lastLayersChanged(double fraction) {
            return new Mlp(width, layers, seed, precision, fraction, fineTuneSeed, changedTensorSet);
        }

        /** The same model with every weight moved by {@link #FINE_TUNE_NOISE}·N(0, 1) noise from {@code noiseSeed} (not 0). */
        public Mlp fineTuned(long noiseSeed) {
            if (noiseSeed == 0) throw new IllegalArgumentException("the noise seed must not be 0");
            return new Mlp(width, layers, seed, precision, changedTail, noiseSeed, changedTensorSet);
        }

        /** The same model with tensors added, removed, renamed and reshaped (see the class comment). */
        public Mlp tensorSetChanged() {
            return new Mlp(width, layers, seed, precision, changedTail, fineTuneSeed, true);
        }

        /** Writes the model to {@code file} (replaced), streaming the weights; returns the file. */
        public Path write(Path file) throws IOException {
            Layout layout = layout();
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                layout.writeTo(out, this);
            }
            return file;
        }

        /** The model as bytes, for small models. */
        public byte[] toBytes() {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try {
                layout().writeTo(out, this);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        /** The exact size of the file {@link #write} writes. */
        public long fileSize() {
            return layout().fileSize();
        }

        /** The bytes of tensor payloads in the file (weights, biases, scales, shapes). */
        public long tensorBytes() {
            long n = 0;
            for (Init t : layout().inits) n += t.payloadBytes();
            return n;
        }

        /** The initializers' names in file order. */
        public List<String> initializerNames() {
            List<String> names = new ArrayList<>();
            for (Init t : layout().inits) names.add(t.name);
            return names;
        }

        private Layout layout() {
            return new Layout(this);
        }
    }

    // ------------------------------------------------------------------ values

    /** What a tensor holds; the values of {@code id} depend only on the model seed, not on the tensor's name. */
    private enum Kind { WEIGHT, BIAS, GAIN, SCALE, ZERO_POINT, SHAPE }

    /**
     * One initializer. {@code id} names its logical values (a renamed tensor keeps its id);
     * {@code tailStart} is the index of its first element in the model's weight elements (for the
     * changed tail), -1 for tensors the tail never touches.
     */
    private record Init(String name, int dataType, long[] dims, Kind kind, String id, double sigma, long tailStart,
                        double quantScale, int zeroPoint, long[] shape) {

        long elements() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }

        int width() {
            return switch (dataType) {
                case FLOAT -> 4;
                case FLOAT16 -> 2;
                case INT8, UINT8 -> 1;
                case INT64 -> 8;
                default -> throw new IllegalStateException("type " + dataType);
            };
        }

        long payloadBytes() {
            return elements() * width();
        }

        Proto header() {
            Proto p = new Proto();
            for (long d : dims) p.int64(1, d);
            p.int64(2, dataType).string(8, name);
            return p;
        }

        long messageSize() {
            long payload = payloadBytes();
            return header().size() + 1 + Proto.varintSize(payload) + payload;
        }
    }

    /** Where each tensor's values come from. */
    private static long mix(long seed, String id) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < id.length(); i++) h = (h ^ id.charAt(i)) * 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 31);
    }

    private static void writePayload(OutputStream out, Init t, Mlp m, long tailCut) throws IOException {
        switch (t.kind) {
            case SHAPE -> {
                ByteBuffer b = ByteBuffer.allocate(8 * t.shape.length).order(ByteOrder.LITTLE_ENDIAN);
                for (long d : t.shape) b.putLong(d);
                out.write(b.array());
            }
            case SCALE -> {
                out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) t.quantScale).array());
            }
            case ZERO_POINT -> out.write(t.zeroPoint);
            default -> writeValues(out, t, m, tailCut);
        }
    }

    /** Draws the tensor's float values block by block and writes them in its storage type. */
    private static void writeValues(OutputStream out, Init t, Mlp m, long tailCut) throws IOException {
        SplittableRandom base = new SplittableRandom(mix(m.seed, t.id));
        SplittableRandom retrained = new SplittableRandom(mix(m.seed ^ 0x7E7A1E5L, t.id));
        SplittableRandom noise = m.fineTuneSeed == 0 ? null : new SplittableRandom(mix(m.fineTuneSeed, t.id));
        double offset = t.kind == Kind.GAIN ? 1 : 0;
        long n = t.elements();
        ByteBuffer block = ByteBuffer.allocate(BLOCK_ELEMENTS * t.width()).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; ) {
            int k = (int) Math.min(BLOCK_ELEMENTS, n - i);
            block.clear();
            for (int j = 0; j < k; j++, i++) {
                double v = offset + base.nextGaussian() * t.sigma;
                if (t.tailStart >= 0 && t.tailStart + i >= tailCut) v = offset + retrained.nextGaussian() * t.sigma;
                if (noise != null) v += FINE_TUNE_NOISE * noise.nextGaussian();
                put(block, t, v);
            }
            out.write(block.array(), 0, block.position());
        }
    }

    private static void put(ByteBuffer b, Init t, double v) {
        switch (t.dataType) {
            case FLOAT -> b.putFloat((float) v);
            case FLOAT16 -> b.putShort(toHalf((float) v));
            case INT8 -> b.put((byte) Math.max(-127, Math.min(127, Math.round(v / t.quantScale))));
            case UINT8 -> b.put((byte) Math.max(0, Math.min(255, Math.round(v / t.quantScale) + t.zeroPoint)));
            default -> throw new IllegalStateException("type " + t.dataType);
        }
    }

    /** IEEE 754 binary16 of a float, rounded to nearest even (Float.floatToFloat16 arrives only in Java 20). */
    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        int e = exp - 127 + 15;
        if (e >= 0x1f) return (short) (sign | 0x7c00);
        if (e <= 0) {
            if (e < -10) return (short) sign;
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || rem == mid && (half & 1) != 0) half++;
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rem = mant & 0x1fff;
        // a carry out of the mantissa correctly rounds up into the exponent (and to infinity at the top)
        if (rem > 0x1000 || rem == 0x1000 && (half & 1) != 0) half++;
        return (short) (sign | half);
    }

    // ------------------------------------------------------------------ structure

    /** The graph of one model: its nodes and initializers in file order, the weights left to stream. */
    private static final class Layout {
        final List<Proto> nodes = new ArrayList<>();
        final List<Init> inits = new ArrayList<>();
        final Proto io = new Proto();
        final long weightElements;
        final Precision precision;
        final int width;
        long tailCounter;

        Layout(Mlp m) {
            this.precision = m.precision;
            this.width = m.width;
            double sigma = Math.sqrt(2.0 / m.width);
            String h = "x";
            int outWidth = m.changedTensorSet ? m.width / 2 : m.width;
            for (int l = 0; l < m.layers; l++) {
                boolean last = l == m.layers - 1;
                boolean narrowed = last && m.changedTensorSet;
                String logical = "w" + l;
                String stored = m.changedTensorSet && l == 1 ? "layer1.weight" : logical;
                boolean flat = m.changedTensorSet && l == 0;
                long[] dims = narrowed ? new long[] {m.width, outWidth} : new long[] {m.width, m.width};
                String id = narrowed ? logical + ".narrow" : logical;
                String weight = weight(stored, dims, flat, id, sigma);
                String mm = last ? "o" : "h" + l;
                nodes.add(node("MatMul", mm, h, weight));
                if (!last) {
                    nodes.add(node("Relu", "r" + l, mm));
                    h = "r" + l;
                }
            }
            if (m.changedTensorSet) {
                String gain = decoded("gain", new long[] {outWidth}, Kind.GAIN, "gain", 0.01, false);
                nodes.add(node("Mul", "y", "o", gain));
            } else {
                String bias = decoded("bias", new long[] {outWidth}, Kind.BIAS, "bias", 0.01, false);
                nodes.add(node("Add", "y", "o", bias));
            }
            weightElements = tailCounter;
            io.message(11, valueInfo("x", m.width)).message(12, valueInfo("y", outWidth));
        }

        /** A weight matrix stored as {@code stored}; returns the name of the float32 matrix the MatMul reads. */
        private String weight(String stored, long[] dims, boolean flat, String id, double sigma) {
            if (!flat) return decoded(stored, dims, Kind.WEIGHT, id, sigma, true);
            // same bytes, other dims: a 1-D tensor reshaped back to the matrix at run time
            String vector = decoded(stored + ".flat", new long[] {dims[0] * dims[1]}, Kind.WEIGHT, id, sigma, true);
            String shape = stored + ".shape";
            inits.add(new Init(shape, INT64, new long[] {2}, Kind.SHAPE, shape, 0, -1, 0, 0, dims));
            nodes.add(node("Reshape", stored, vector, shape));
            return stored;
        }

        /** Initializer(s) holding float32 values named {@code name} after decoding from the storage precision. */
        private String decoded(String name, long[] dims, Kind kind, String id, double sigma, boolean inTail) {
            long n = 1;
            for (long d : dims) n *= d;
            long tailStart = inTail ? tailCounter : -1;
            if (inTail) tailCounter += n;
            switch (precision) {
                case FP32 -> inits.add(new Init(name, FLOAT, dims, kind, id, sigma, tailStart, 0, 0, null));
                case FP16 -> {
                    inits.add(new Init(name + ".fp16", FLOAT16, dims, kind, id, sigma, tailStart, 0, 0, null));
                    nodes.add(node("Cast", name, name + ".fp16").message(5, intAttribute("to", FLOAT)));
                }
                case INT8 -> {
                    if (kind != Kind.WEIGHT) {
                        inits.add(new Init(name, FLOAT, dims, kind, id, sigma, tailStart, 0, 0, null));
                        break;
                    }
                    // int8 and uint8 alternate so that both storage types occur; the scale covers ±4 sigma
                    boolean signed = inits.stream().filter(i -> i.kind == Kind.WEIGHT).count() % 2 == 0;
                    double scale = 4 * sigma / 127;
                    int zp = signed ? 0 : 128;
                    int type = signed ? INT8 : UINT8;
                    inits.add(new Init(name + ".q", type, dims, kind, id, sigma, tailStart, scale, zp, null));
                    inits.add(new Init(name + ".scale", FLOAT, new long[0], Kind.SCALE, id, 0, -1, scale, zp, null));
                    inits.add(new Init(name + ".zero_point", type, new long[0], Kind.ZERO_POINT, id, 0, -1, scale, zp, null));
                    nodes.add(node("DequantizeLinear", name, name + ".q", name + ".scale", name + ".zero_point"));
                }
            }
            return name;
        }

        private long graphSize() {
            long n = 0;
            for (Proto p : nodes) n += field(p.size());
            n += prefixGraphName().size();
            for (Init t : inits) n += field(t.messageSize());
            return n + io.size();
        }

        private static long field(long length) {
            return 1 + Proto.varintSize(length) + length;
        }

        private static Proto prefixGraphName() {
            return new Proto().string(2, "delta-mlp");
        }

        private Proto modelHead() {
            return new Proto().int64(1, 7).string(2, "modelyard-tests").bytesHeader(7, graphSize());
        }

        private static Proto modelTail() {
            return new Proto().message(8, new Proto().string(1, "").int64(2, 13));
        }

        long fileSize() {
            return modelHead().size() + graphSize() + modelTail().size();
        }

        void writeTo(OutputStream out, Mlp m) throws IOException {
            long tailCut = Math.round((1 - m.changedTail) * weightElements);
            if (m.changedTail == 0) tailCut = Long.MAX_VALUE;
            out.write(modelHead().toByteArray());
            for (Proto p : nodes) out.write(new Proto().message(1, p).toByteArray());
            out.write(prefixGraphName().toByteArray());
            for (Init t : inits) {
                Proto header = t.header();
                long payload = t.payloadBytes();
                out.write(new Proto().bytesHeader(5, header.size() + 1 + Proto.varintSize(payload) + payload).toByteArray());
                out.write(header.toByteArray());
                out.write(new Proto().bytesHeader(9, payload).toByteArray());
                writePayload(out, t, m, tailCut);
            }
            out.write(io.toByteArray());
            out.write(modelTail().toByteArray());
        }
    }

    /** A node with one output, named after it. */
    private static Proto node(String op, String output, String... inputs) {
        Proto p = new Proto();
        for (String in : inputs) p.string(1, in);
        return p.string(2, output).string(3, op.toLowerCase() + "_" + output).string(4, op);
    }

    /** An INT attribute (AttributeProto: name 1, i 3, type 20 = INT). */
    private static Proto intAttribute(String name, long value) {
        return new Proto().string(1, name).int64(3, value).int64(20, 2);
    }

    private static Proto valueInfo(String name, int width) {
        Proto shape = new Proto().message(1, new Proto().string(2, "batch")).message(1, new Proto().int64(1, width));
        Proto tensorType = new Proto().int64(1, FLOAT).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }
}
