package dev.modelyard.delta;

/**
 * Splits elements of {@code width} bytes into planes (byte 0 of every element, then byte 1, …)
 * and joins them back. For little-endian floats the last plane holds sign and exponent bytes,
 * which barely change between versions of a model and compress to almost nothing.
 */
public final class BytePlanes {

    private BytePlanes() {
    }

    /** {@code dst[plane * n + i] = src[srcOff + i * width + plane]} for n = len / width elements; len must be a multiple of width. */
    public static void split(byte[] src, int srcOff, int len, int width, byte[] dst, int dstOff) {
        throw new UnsupportedOperationException("codec");
    }

    /** The inverse of {@link #split}. */
    public static void join(byte[] src, int srcOff, int len, int width, byte[] dst, int dstOff) {
        throw new UnsupportedOperationException("codec");
    }
}
