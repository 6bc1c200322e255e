package dev.modelyard.wire.trust;

import dev.modelyard.wire.trust.VerificationException.Reason;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The one signature rule shared by root updates, releases and rollback authorizations. */
final class Threshold {

    private Threshold() {
    }

    /**
     * Requires {@code role.threshold()} distinct keys of {@code role}, as listed in
     * {@code keys}, to have validly signed the envelope. Signatures by keys outside the role are
     * ignored (another role's or a future key's); an invalid signature by a key of the role
     * rejects the envelope, since that key's holder did not sign this content.
     *
     * @param what     the document, for messages ("release", "root v2")
     * @param roleName the role, for messages
     */
    static void require(SignedEnvelope envelope, RootMetadata keys, RootMetadata.Role role, String roleName,
                        String what) throws VerificationException {
        byte[] message = envelope.canonicalSigned();
        Set<String> valid = new TreeSet<>();
        List<String> outside = new ArrayList<>();
        for (Signature s : envelope.signatures()) {
            PublicKey key = role.keyids().contains(s.keyid()) ? keys.publicKey(s.keyid()) : null;
            if (key == null) {
                outside.add(s.keyid());
            } else if (Ed25519.verify(key, message, s.bytes())) {
                valid.add(s.keyid());
            } else {
                throw new VerificationException(Reason.BAD_SIGNATURE, what + ": the signature by " + roleName
                        + " key " + s.keyid() + " does not match the signed content");
            }
        }
        if (valid.size() >= role.threshold()) return;
        if (valid.isEmpty() && !outside.isEmpty()) {
            throw new VerificationException(Reason.UNKNOWN_KEY, what + ": signed only by keys the " + roleName
                    + " role does not list: " + outside);
        }
        throw new VerificationException(Reason.THRESHOLD_NOT_MET, what + ": " + valid.size()
                + " valid signature(s) by distinct " + roleName + " keys, " + role.threshold() + " required");
    }
}
