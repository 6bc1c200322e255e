package dev.modelyard.server.device;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The SHA-256 of a device token as four longs: the key of the token index and what the poll
 * cache remembers of a device's token. With a million devices cached, the hex string the database
 * stores (a 64-character String, 104 bytes of heap) would be the largest part of each entry;
 * this is 48 bytes, compares exactly (all 256 bits), and a poll makes it from the digest without
 * formatting hex.
 */
public record TokenHash(long w0, long w1, long w2, long w3) {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final HexFormat HEX = HexFormat.of();

    /** The hash of a presented token (one digest, no hex). */
    public static TokenHash of(String secret) {
        return ofDigest(DeviceTokens.digest(secret));
    }

    /** A hash as stored (64 hex digits, either case); IllegalArgumentException for anything else. */
    public static TokenHash ofHex(String hex) {
        if (hex == null || hex.length() != 64) throw new IllegalArgumentException("not a SHA-256 in hex");
        return new TokenHash(HEX.fromHexDigitsToLong(hex, 0, 16), HEX.fromHexDigitsToLong(hex, 16, 32),
                HEX.fromHexDigitsToLong(hex, 32, 48), HEX.fromHexDigitsToLong(hex, 48, 64));
    }

    /**
     * A hash as read from the database (surrounding blanks ignored); null for none, and for a value
     * that is no SHA-256 in hex (no presented token can match it).
     */
    public static TokenHash ofStored(String stored) {
        if (stored == null) return null;
        String hex = stored.strip();
        if (hex.length() != 64) return null;
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) return null;
        }
        return ofHex(hex);
    }

    static TokenHash ofDigest(byte[] digest) {
        return new TokenHash((long) LONGS.get(digest, 0), (long) LONGS.get(digest, 8),
                (long) LONGS.get(digest, 16), (long) LONGS.get(digest, 24));
    }

    /** As stored in the database: 64 lower-case hex digits. */
    public String hex() {
        return HEX.toHexDigits(w0) + HEX.toHexDigits(w1) + HEX.toHexDigits(w2) + HEX.toHexDigits(w3);
    }

    /**
     * The first word: SHA-256's bits are uniform, so it spreads the keys as well as all four would.
     * Written out (as {@link #equals}) because the record's generated methods go through a method
     * handle, a few percent of a cached poll's CPU in the flame graph.
     */
    @Override
    public int hashCode() {
        return Long.hashCode(w0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenHash t && t.w0 == w0 && t.w1 == w1 && t.w2 == w2 && t.w3 == w3;
    }

    /** Not the hash: a log line or a failed assertion must not print it. */
    @Override
    public String toString() {
        return "TokenHash[…]";
    }
}
