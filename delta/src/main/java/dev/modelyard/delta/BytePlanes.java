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
        check(src, srcOff, len, width, dst, dstOff);
        int n = len / width;
        for (int plane = 0; plane < width; plane++) {
            int out = dstOff + plane * n;
            int in = srcOff + plane;
            for (int i = 0; i < n; i++, in += width) {
                dst[out + i] = src[in];
            }
        }
    }

    /** The inverse of {@link #split}. */
    public static void join(byte[] src, int srcOff, int len, int width, byte[] dst, int dstOff) {
        check(src, srcOff, len, width, dst, dstOff);
        int n = len / width;
        for (int plane = 0; plane < width; plane++) {
            int in = srcOff + plane * n;
            int out = dstOff + plane;
            for (int i = 0; i < n; i++, out += width) {
                dst[out] = src[in + i];
            }
        }
    }

    /** Whether {@code width} is an element size the format knows: 1, 2, 4 or 8 bytes. */
    public static boolean isValidWidth(int width) {
        return width == 1 || width == 2 || width == 4 || width == 8;
    }

    private static void check(byte[] src, int srcOff, int len, int width, byte[] dst, int dstOff) {
        if (!isValidWidth(width)) {
            throw new IllegalArgumentException("element width must be 1, 2, 4 or 8 bytes, not " + width);
        }
        if (len < 0 || len % width != 0) {
            throw new IllegalArgumentException("length " + len + " is not a multiple of the element width " + width);
        }
        if (srcOff < 0 || dstOff < 0 || srcOff > src.length - len || dstOff > dst.length - len) {
            throw new IndexOutOfBoundsException("range of " + len + " bytes outside the arrays");
        }
        if (src == dst && srcOff < dstOff + len && dstOff < srcOff + len) {
            throw new IllegalArgumentException("source and destination ranges overlap");
        }
    }
}
