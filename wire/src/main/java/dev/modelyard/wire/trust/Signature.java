package dev.modelyard.wire.trust;

import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One signature in an envelope: the signing key's id and the base64 (RFC 4648, padded) of the
 * 64-byte Ed25519 signature over the canonical JSON of the envelope's {@code signed} part.
 */
public record Signature(String keyid, String sig) {

    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{64}");

    public Signature {
        if (keyid == null || !KEY_ID.matcher(keyid).matches()) {
            throw new JsonFormatException("signature keyid: '" + keyid + "' is not 64 lowercase hex digits");
        }
        byte[] raw = Base64Strict.decode(sig, "signature sig");
        if (raw.length != Ed25519.SIGNATURE_BYTES) {
            throw new JsonFormatException("signature sig: decodes to " + raw.length + " bytes, an Ed25519 signature has 64");
        }
    }

    /** A signature from raw bytes. */
    public static Signature of(String keyid, byte[] signature) {
        return new Signature(keyid, Base64.getEncoder().encodeToString(signature));
    }

    /** The raw 64 signature bytes. */
    public byte[] bytes() {
        return Base64.getDecoder().decode(sig);
    }

    Map<String, Object> toMap() {
        return Fields.orderedMap("keyid", keyid, "sig", sig);
    }

    static Signature fromMap(Object value, String doc, String path) {
        Fields f = Fields.of(value, doc, path, "keyid", "sig");
        String keyid = f.string("keyid");
        String sig = f.string("sig");
        try {
            return new Signature(keyid, sig);
        } catch (JsonFormatException e) {
            throw Fields.invalid(doc, path, e.getMessage());
        }
    }
}
