package dev.modelyard.wire.trust;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The signed container: {@code {"signed": {...}, "signatures": [{"keyid": ..., "sig": ...}]}}.
 * Signatures cover {@link CanonicalJson#canonicalize canonical JSON} of {@code signed}, so the
 * envelope may be re-indented or re-ordered in transit without invalidating them.
 *
 * <p>Constructing an envelope checks only its shape; whether the signatures are valid and
 * trusted is the {@link Verifier}'s and {@link TrustStore}'s business.
 */
public record SignedEnvelope(Map<String, Object> signed, List<Signature> signatures) {

    private static final String DOC = "envelope";

    @SuppressWarnings("unchecked")
    public SignedEnvelope {
        if (signed == null) throw Fields.invalid(DOC, "signed", "is required");
        if (signatures == null) throw Fields.invalid(DOC, "signatures", "is required");
        // A deep immutable copy: what was verified is what the caller keeps reading.
        signed = (Map<String, Object>) CanonicalJson.immutableCopy(signed);
        signatures = List.copyOf(signatures);
    }

    /** Parses an envelope from UTF-8 JSON, strictly. */
    public static SignedEnvelope parse(byte[] json) {
        return fromMap(CanonicalJson.parse(json));
    }

    /** Parses an envelope from JSON text, strictly. */
    public static SignedEnvelope parse(String json) {
        return fromMap(CanonicalJson.parse(json));
    }

    /** Reads the JSON object form, rejecting missing, extra or mistyped fields. */
    @SuppressWarnings("unchecked")
    public static SignedEnvelope fromMap(Object value) {
        Fields f = Fields.of(value, DOC, "", "signed", "signatures");
        Map<String, Object> signed = (Map<String, Object>) f.rawObject("signed");
        List<?> list = f.array("signatures");
        List<Signature> signatures = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            signatures.add(Signature.fromMap(list.get(i), DOC, "signatures[" + i + "]"));
        }
        return new SignedEnvelope(signed, signatures);
    }

    /** The bytes the signatures cover. */
    public byte[] canonicalSigned() {
        return CanonicalJson.canonicalize(signed);
    }

    /** The {@code _type} of the signed document, or null when absent or not a string. */
    public String type() {
        return signed.get("_type") instanceof String s ? s : null;
    }

    /** The JSON object form. */
    public Map<String, Object> toMap() {
        List<Object> sigs = new ArrayList<>(signatures.size());
        for (Signature s : signatures) sigs.add(s.toMap());
        return Fields.orderedMap("signed", signed, "signatures", sigs);
    }

    /** Indented JSON ending with a newline, for files and HTTP bodies. */
    public String toJson() {
        return CanonicalJson.toPrettyString(toMap());
    }

    /** Indented JSON as UTF-8 bytes. */
    public byte[] toJsonBytes() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }
}
