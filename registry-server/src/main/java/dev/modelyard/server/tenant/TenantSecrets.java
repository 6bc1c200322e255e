package dev.modelyard.server.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Gateway tokens: random secrets of which only the SHA-256 is stored. */
final class TenantSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TenantSecrets() {
    }

    static String newGatewayToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "mygw_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
