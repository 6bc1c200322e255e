package dev.modelyard.cli;

import dev.modelyard.wire.trust.CanonicalJson;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.KeyFile;
import dev.modelyard.wire.trust.RootMetadata;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/** Reading key files: the private key (may need the passphrase) or only the public part (never does). */
final class Keys {

    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");

    private Keys() {
    }

    /** The public half of a key, with its id. */
    record Public(String keyId, String base64, PublicKey key, boolean encrypted) {
    }

    /** The key pair in a key file; an encrypted one needs {@code passphrase}. */
    static KeyPair loadPrivate(Path file, char[] passphrase) throws CliException {
        String text = new String(Io.read(file), StandardCharsets.UTF_8);
        Map<?, ?> doc = document(file, text);
        if (doc.containsKey("encrypted") && passphrase == null) {
            throw new CliException(file + ": the key is encrypted; give its passphrase with --passphrase-file or --passphrase-env");
        }
        try {
            return KeyFile.read(text, passphrase);
        } catch (IllegalArgumentException e) {
            throw new CliException(file + ": " + withoutPrefix(e.getMessage()));
        }
    }

    /** The public key stored in clear in a key file; needs no passphrase. */
    static Public readPublic(Path file) throws CliException {
        Map<?, ?> doc = document(file, new String(Io.read(file), StandardCharsets.UTF_8));
        if (!(doc.get("public") instanceof String b64)) throw new CliException(file + ": the key file has no 'public' key");
        Public key = fromBase64(b64, file.toString());
        Object id = doc.get("keyid");
        if (id != null && !key.keyId().equals(id)) {
            throw new CliException(file + ": the key id " + id + " is not the SHA-256 of its public key (" + key.keyId() + ")");
        }
        return new Public(key.keyId(), key.base64(), key.key(), doc.containsKey("encrypted"));
    }

    /** A public key given as the base64 of its raw 32 bytes. */
    static Public fromBase64(String base64, String what) throws CliException {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new CliException(what + ": the public key is not base64");
        }
        if (!Base64.getEncoder().encodeToString(raw).equals(base64)) {
            throw new CliException(what + ": the public key is not canonical padded base64");
        }
        if (raw.length != Ed25519.KEY_BYTES) {
            throw new CliException(what + ": the public key has " + raw.length + " bytes, an Ed25519 key has 32");
        }
        try {
            return new Public(Ed25519.keyId(raw), base64, Ed25519.publicKeyFromRaw(raw), false);
        } catch (IllegalArgumentException e) {
            throw new CliException(what + ": " + e.getMessage());
        }
    }

    static String keyId(KeyPair pair) {
        return Ed25519.keyId(pair.getPublic());
    }

    /** Checks the form of a key id given on the command line. */
    static String requireKeyId(String id, String option) throws CliException {
        if (!KEY_ID.matcher(id).matches()) throw new CliException(option + ": '" + id + "' is not a key id (64 lowercase hex digits)");
        return id;
    }

    private static Map<?, ?> document(Path file, String text) throws CliException {
        Object parsed;
        try {
            parsed = CanonicalJson.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException(file + ": not a key file: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> doc)) throw new CliException(file + ": not a key file (not a JSON object)");
        if (!RootMetadata.KEYTYPE.equals(doc.get("keytype"))) {
            throw new CliException(file + ": not an Ed25519 key file (keytype is " + doc.get("keytype") + ")");
        }
        return doc;
    }

    private static String withoutPrefix(String message) {
        return message != null && message.startsWith("key file: ") ? message.substring("key file: ".length()) : message;
    }
}
