package dev.modelyard.wire.trust;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Ed25519 (RFC 8032) on top of the JDK's EdDSA provider, plus the raw key encodings the
 * metadata uses. Keys travel as their raw 32 bytes; a key id is the lowercase hex SHA-256 of
 * the raw public key.
 *
 * <p>The JDK buffers the whole message before signing or verifying, so callers sign metadata
 * (a few hundred bytes) and never artifact files.
 */
public final class Ed25519 {

    public static final int KEY_BYTES = 32;
    public static final int SIGNATURE_BYTES = 64;
    private static final String ALGORITHM = "Ed25519";
    // DER prefixes for an Ed25519 key (OID 1.3.101.112); the raw key bytes follow directly.
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private Ed25519() {
    }

    /** A new random key pair. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw missingProvider(e);
        }
    }

    /**
     * The key pair for a 32-byte RFC 8032 private key (the "seed"). The private key is decoded
     * from its PKCS#8 form; the public key is derived by the JDK's key pair generator fed the
     * seed as its only randomness, and the result is checked, so a provider that draws its
     * randomness differently fails loudly instead of producing an unrelated key.
     */
    public static KeyPair keyPairFromSeed(byte[] seed) {
        PrivateKey privateKey = privateKeyFromSeed(seed);
        KeyPair derived;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
            generator.initialize(NamedParameterSpec.ED25519, new SeedRandom(seed));
            derived = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive an Ed25519 public key: " + e.getMessage(), e);
        }
        if (!Arrays.equals(seedOf(derived.getPrivate()), seed)) {
            throw new IllegalStateException("the Ed25519 provider did not use the supplied seed");
        }
        return new KeyPair(derived.getPublic(), privateKey);
    }

    /** The private key for a 32-byte seed, via its PKCS#8 encoding. */
    public static PrivateKey privateKeyFromSeed(byte[] seed) {
        requireLength(seed, KEY_BYTES, "seed");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 seed: " + e.getMessage(), e);
        }
    }

    /** The 32-byte seed of an Ed25519 private key, for storing it. */
    public static byte[] seedOf(PrivateKey key) {
        if (key instanceof EdECPrivateKey ed && ALGORITHM.equalsIgnoreCase(ed.getParams().getName())) {
            return ed.getBytes().orElseThrow(() -> new IllegalArgumentException("private key bytes are not extractable"));
        }
        throw new IllegalArgumentException("not an Ed25519 private key: " + key.getAlgorithm());
    }

    /** The raw 32 bytes of an Ed25519 public key. */
    public static byte[] rawPublicKey(PublicKey key) {
        byte[] der = key.getEncoded();
        if (der == null || der.length != X509_PREFIX.length + KEY_BYTES
                || !Arrays.equals(der, 0, X509_PREFIX.length, X509_PREFIX, 0, X509_PREFIX.length)) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(der, X509_PREFIX.length, der.length);
    }

    /** The public key for its raw 32 bytes. */
    public static PublicKey publicKeyFromRaw(byte[] raw) {
        requireLength(raw, KEY_BYTES, "public key");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, raw)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** The key id: lowercase hex SHA-256 of the raw public key. */
    public static String keyId(PublicKey key) {
        return keyId(rawPublicKey(key));
    }

    /** The key id of a raw 32-byte public key. */
    public static String keyId(byte[] rawPublicKey) {
        requireLength(rawPublicKey, KEY_BYTES, "public key");
        return HexFormat.of().formatHex(sha256(rawPublicKey));
    }

    /** The 64-byte signature of {@code message}. */
    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            java.security.Signature s = java.security.Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * True when {@code signature} is a valid signature of {@code message} by {@code key}. A
     * signature of the wrong length or encoding is simply invalid, never an exception.
     */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        if (signature == null || signature.length != SIGNATURE_BYTES) return false;
        try {
            java.security.Signature s = java.security.Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (SignatureException e) {
            return false;
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw missingProvider(e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static void requireLength(byte[] bytes, int length, String what) {
        if (bytes == null || bytes.length != length) {
            throw new IllegalArgumentException(what + " must be " + length + " bytes, got "
                    + (bytes == null ? "none" : bytes.length));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static IllegalStateException missingProvider(NoSuchAlgorithmException e) {
        return new IllegalStateException("this JVM has no Ed25519 provider (Java 15 or later is required)", e);
    }

    /** Randomness that yields the seed once and then refuses, so nothing else can be drawn. */
    private static final class SeedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;
        private int used;

        SeedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (used + bytes.length > seed.length) {
                throw new IllegalStateException("the Ed25519 provider asked for more than the 32-byte seed");
            }
            System.arraycopy(seed, used, bytes, 0, bytes.length);
            used += bytes.length;
        }
    }
}
