package dev.modelyard.wire.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * An Ed25519 private key on disk, as a small JSON document, optionally encrypted with a
 * passphrase (PBKDF2-HMAC-SHA256 → AES-256-GCM, both in the JDK, so no tool beyond Java is
 * needed to read it):
 *
 * <pre>{"keytype":"ed25519","keyid":"…","public":"&lt;base64&gt;","seed":"&lt;base64 32 bytes&gt;"}
 * {"keytype":"ed25519","keyid":"…","public":"…","encrypted":{"kdf":"PBKDF2WithHmacSHA256",
 *   "iterations":600000,"salt":"…","cipher":"AES-256-GCM","iv":"…","ciphertext":"…"}}</pre>
 *
 * The key id and public key are stored in clear so a key can be identified without its passphrase.
 */
public final class KeyFile {

    private static final String KDF = "PBKDF2WithHmacSHA256";
    private static final String CIPHER = "AES-256-GCM";
    private static final int ITERATIONS = 600_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyFile() {
    }

    /** The JSON text of a key file for {@code pair}; encrypted when {@code passphrase} is non-null. */
    public static String write(KeyPair pair, char[] passphrase) {
        return write(pair, passphrase, ITERATIONS);
    }

    static String write(KeyPair pair, char[] passphrase, int iterations) {
        byte[] seed = Ed25519.seedOf(pair.getPrivate());
        try {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("keytype", RootMetadata.KEYTYPE);
            doc.put("keyid", Ed25519.keyId(pair.getPublic()));
            doc.put("public", b64(Ed25519.rawPublicKey(pair.getPublic())));
            if (passphrase == null) {
                doc.put("seed", b64(seed));
            } else {
                byte[] salt = random(16);
                byte[] iv = random(12);
                byte[] ciphertext = cipher(Cipher.ENCRYPT_MODE, passphrase, salt, iterations, iv).doFinal(seed);
                Map<String, Object> enc = new LinkedHashMap<>();
                enc.put("kdf", KDF);
                enc.put("iterations", (long) iterations);
                enc.put("salt", b64(salt));
                enc.put("cipher", CIPHER);
                enc.put("iv", b64(iv));
                enc.put("ciphertext", b64(ciphertext));
                doc.put("encrypted", enc);
            }
            return CanonicalJson.toPrettyString(doc);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot encrypt the key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Writes a key file readable by its owner only (where the filesystem has POSIX permissions). */
    public static void save(Path file, KeyPair pair, char[] passphrase) throws IOException {
        byte[] text = write(pair, passphrase).getBytes(StandardCharsets.UTF_8);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.write(file, text, StandardOpenOption.TRUNCATE_EXISTING);
    }

    public static KeyPair load(Path file, char[] passphrase) throws IOException {
        return read(Files.readString(file), passphrase);
    }

    /**
     * Reads a key file. An encrypted one needs {@code passphrase}; a wrong passphrase, a
     * tampered file or a public key that does not match the private key is refused.
     */
    public static KeyPair read(String json, char[] passphrase) {
        Object parsed = CanonicalJson.parse(json);
        if (!(parsed instanceof Map<?, ?> doc)) throw new IllegalArgumentException("key file: not a JSON object");
        if (!RootMetadata.KEYTYPE.equals(doc.get("keytype"))) {
            throw new IllegalArgumentException("key file: keytype must be \"ed25519\"");
        }
        byte[] seed = doc.containsKey("encrypted") ? decrypt(doc.get("encrypted"), passphrase) : decode(doc, "seed");
        try {
            KeyPair pair = Ed25519.keyPairFromSeed(seed);
            Object pub = doc.get("public");
            if (pub != null && !Arrays.equals(Base64.getDecoder().decode((String) pub), Ed25519.rawPublicKey(pair.getPublic()))) {
                throw new IllegalArgumentException("key file: the public key does not belong to the private key");
            }
            return pair;
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** A key pair from the base64 of its 32-byte seed, as kept in an environment variable or secret. */
    public static KeyPair fromSeedBase64(String base64Seed) {
        byte[] seed;
        try {
            seed = Base64.getDecoder().decode(base64Seed.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key seed is not base64");
        }
        if (seed.length != Ed25519.KEY_BYTES) {
            throw new IllegalArgumentException("key seed must be 32 bytes, got " + seed.length);
        }
        return Ed25519.keyPairFromSeed(seed);
    }

    private static byte[] decrypt(Object encrypted, char[] passphrase) {
        if (passphrase == null) throw new IllegalArgumentException("key file is encrypted: a passphrase is required");
        if (!(encrypted instanceof Map<?, ?> enc)) throw new IllegalArgumentException("key file: 'encrypted' must be an object");
        if (!KDF.equals(enc.get("kdf")) || !CIPHER.equals(enc.get("cipher"))) {
            throw new IllegalArgumentException("key file: unsupported encryption (expected " + KDF + " and " + CIPHER + ")");
        }
        if (!(enc.get("iterations") instanceof Long iterations) || iterations < 10_000 || iterations > 10_000_000) {
            throw new IllegalArgumentException("key file: iterations must be between 10000 and 10000000");
        }
        try {
            return cipher(Cipher.DECRYPT_MODE, passphrase, decode(enc, "salt"), iterations.intValue(), decode(enc, "iv"))
                    .doFinal(decode(enc, "ciphertext"));
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalArgumentException("key file: wrong passphrase, or the file was altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("key file: cannot decrypt: " + e.getMessage());
        }
    }

    private static Cipher cipher(int mode, char[] passphrase, byte[] salt, int iterations, byte[] iv)
            throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
        try {
            byte[] key = SecretKeyFactory.getInstance(KDF).generateSecret(spec).getEncoded();
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            Arrays.fill(key, (byte) 0);
            return c;
        } finally {
            spec.clearPassword();
        }
    }

    private static byte[] decode(Map<?, ?> doc, String field) {
        if (!(doc.get(field) instanceof String s)) throw new IllegalArgumentException("key file: '" + field + "' is missing");
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key file: '" + field + "' is not base64");
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
