package dev.modelyard.e2e;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * A deterministic stream of any length that is never held in memory: a random 1 MiB block,
 * each repetition salted with its index so blocks differ.
 */
final class PatternStream extends InputStream {

    private static final int BLOCK = 1 << 20;
    private final byte[] block = new byte[BLOCK];
    private final long length;
    private long position;

    PatternStream(long length, long seed) {
        this.length = length;
        new Random(seed).nextBytes(block);
    }

    private byte at(long pos) {
        return (byte) (block[(int) (pos % BLOCK)] ^ (pos / BLOCK));
    }

    @Override
    public int read() {
        return position < length ? at(position++) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position >= length) return -1;
        int n = (int) Math.min(len, length - position);
        long blockIndex = position / BLOCK;
        int inBlock = (int) (position % BLOCK);
        int first = Math.min(n, BLOCK - inBlock);
        for (int i = 0; i < first; i++) b[off + i] = (byte) (block[inBlock + i] ^ blockIndex);
        for (int i = first; i < n; i++) b[off + i] = at(position + i);
        position += n;
        return n;
    }

    static String sha256Hex(long length, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[BLOCK];
        try (PatternStream s = new PatternStream(length, seed)) {
            int n;
            while ((n = s.read(buf, 0, buf.length)) > 0) sha.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
