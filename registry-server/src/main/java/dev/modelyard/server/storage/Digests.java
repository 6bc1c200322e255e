package dev.modelyard.server.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 helpers and the digest notations clients send. */
public final class Digests {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private Digests() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public static boolean isSha256Hex(String s) {
        return s != null && HEX.matcher(s).matches();
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    public static String base64ToHex(String b64) {
        byte[] bytes = Base64.getDecoder().decode(b64);
        if (bytes.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest is 32 bytes, this one is " + bytes.length);
        }
        return hex(bytes);
    }

    public static String hexToBase64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }
}
