package dev.modelyard.wire.trust;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Signs metadata documents with one or more Ed25519 keys: the server's release key for artifact
 * and rollback metadata, the offline root keys for root metadata.
 */
public final class Signer {

    private static final byte[] PROBE = "modelyard key pair check".getBytes(StandardCharsets.US_ASCII);

    private final List<KeyPair> keys;
    private final List<String> keyIds;

    /**
     * @param keys Ed25519 key pairs, each used once; a private key that does not belong to its
     *             public key is rejected here rather than producing signatures no one can verify
     */
    public Signer(List<KeyPair> keys) {
        if (keys == null || keys.isEmpty()) throw new IllegalArgumentException("at least one signing key is required");
        List<String> ids = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (KeyPair pair : keys) {
            String id = Ed25519.keyId(pair.getPublic());
            if (!seen.add(id)) throw new IllegalArgumentException("key " + id + " is given more than once");
            if (!Ed25519.verify(pair.getPublic(), PROBE, Ed25519.sign(pair.getPrivate(), PROBE))) {
                throw new IllegalArgumentException("the private key of " + id + " does not match its public key");
            }
            ids.add(id);
        }
        this.keys = List.copyOf(keys);
        this.keyIds = List.copyOf(ids);
    }

    public static Signer of(KeyPair... keys) {
        return new Signer(List.of(keys));
    }

    /** The ids of the signing keys, in signing order. */
    public List<String> keyIds() {
        return keyIds;
    }

    /** An envelope holding {@code document} with one signature per key. */
    public SignedEnvelope sign(SignedMetadata document) {
        return sign(document.toMap());
    }

    /** An envelope holding an arbitrary signed object with one signature per key. */
    public SignedEnvelope sign(Map<String, Object> signed) {
        return addSignatures(new SignedEnvelope(signed, List.of()));
    }

    /**
     * The envelope with this signer's signatures appended, replacing earlier ones by the same
     * keys; lets root key holders sign one after another without sharing keys.
     */
    public SignedEnvelope addSignatures(SignedEnvelope envelope) {
        byte[] message = envelope.canonicalSigned();
        List<Signature> signatures = new ArrayList<>();
        for (Signature s : envelope.signatures()) {
            if (!keyIds.contains(s.keyid())) signatures.add(s);
        }
        for (int i = 0; i < keys.size(); i++) {
            signatures.add(Signature.of(keyIds.get(i), Ed25519.sign(keys.get(i).getPrivate(), message)));
        }
        return new SignedEnvelope(envelope.signed(), signatures);
    }
}
