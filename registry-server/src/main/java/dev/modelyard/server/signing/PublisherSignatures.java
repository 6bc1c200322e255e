package dev.modelyard.server.signing;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Names;
import dev.modelyard.wire.trust.CanonicalJson;
import dev.modelyard.wire.trust.Ed25519;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Optional publisher signatures on uploads. The publisher signs, with Ed25519, the canonical JSON
 * (RFC 8785) of {@code {"_type":"upload","filename":…,"model":…,"sha256":…,"size":…,"version":…}}
 * and sends {@code Modelyard-Signature: keyid=<hex>, sig=<base64>}. Binding model, version and
 * file name stops a signature being replayed onto another release.
 */
@ApplicationScoped
public class PublisherSignatures {

    public static final String HEADER = "Modelyard-Signature";
    private static final Pattern PARAMS = Pattern.compile("^\\s*keyid=([0-9a-f]{64})\\s*[,;]\\s*sig=([A-Za-z0-9+/=]+)\\s*$");

    private final ModelyardConfig config;
    private final Clock clock;

    public PublisherSignatures(ModelyardConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Who signed an upload. */
    public record Signed(String keyId, String name) {
    }

    /** A registered key as the API shows it. */
    public record KeyView(UUID id, String name, String keyId, String publicKey, java.time.Instant createdAt,
                          String createdBy, java.time.Instant revokedAt) {
        static KeyView of(PublisherKey k) {
            return new KeyView(k.id, k.name, k.keyId, k.publicKey, k.createdAt, k.createdBy, k.revokedAt);
        }
    }

    /** The exact bytes a publisher signs. */
    public static byte[] message(String model, String version, String filename, String sha256, long size) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("_type", "upload");
        doc.put("model", model);
        doc.put("version", version);
        doc.put("filename", filename);
        doc.put("sha256", sha256);
        doc.put("size", size);
        return CanonicalJson.canonicalize(doc);
    }

    /**
     * Checks the header (absent is fine unless signatures are required). A signature that is
     * present must be valid and by a registered, unrevoked key: INVALID_SIGNATURE otherwise.
     */
    @Transactional
    public Optional<Signed> verify(String header, String model, String version, String filename, String sha256, long size) {
        if (header == null || header.isBlank()) {
            if (config.signing().requirePublisherSignature()) {
                throw DomainException.of(ErrorCode.SIGNATURE_REQUIRED, "this registry requires a publisher signature: send "
                        + HEADER + ": keyid=<hex>, sig=<base64>");
            }
            return Optional.empty();
        }
        Matcher m = PARAMS.matcher(header);
        if (!m.matches()) throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, HEADER, HEADER + ": expected 'keyid=<64 hex>, sig=<base64>'");
        PublisherKey key = PublisherKey.<PublisherKey>find("keyId", m.group(1)).firstResultOptional()
                .filter(k -> k.revokedAt == null)
                .orElseThrow(() -> DomainException.of(ErrorCode.INVALID_SIGNATURE, "publisher signature by unknown or revoked key " + m.group(1)));
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, HEADER, HEADER + ": sig is not base64");
        }
        boolean ok = Ed25519.verify(Ed25519.publicKeyFromRaw(Base64.getDecoder().decode(key.publicKey)),
                message(model, version, filename, sha256, size), sig);
        if (!ok) {
            throw DomainException.of(ErrorCode.INVALID_SIGNATURE, "publisher signature by '" + key.name + "' does not match this upload "
                    + "(model, version, file name, sha256 and size are signed)");
        }
        return Optional.of(new Signed(key.keyId, key.name));
    }

    @Transactional
    public KeyView register(String name, String publicKeyBase64, String by) {
        Names.require("name", name);
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(publicKeyBase64 == null ? "" : publicKeyBase64.strip());
            Ed25519.publicKeyFromRaw(raw);
        } catch (IllegalArgumentException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "publicKey", "publicKey: must be the base64 of a raw 32-byte Ed25519 public key");
        }
        String keyId = Ed25519.keyId(raw);
        if (PublisherKey.count("name = ?1 or keyId = ?2", name, keyId) > 0) {
            throw DomainException.of(ErrorCode.ALREADY_EXISTS, "a publisher key with this name or key id is already registered");
        }
        PublisherKey k = new PublisherKey();
        k.id = UUID.randomUUID();
        k.name = name;
        k.keyId = keyId;
        k.publicKey = Base64.getEncoder().encodeToString(raw);
        k.createdAt = clock.instant();
        k.createdBy = by;
        k.persist();
        return KeyView.of(k);
    }

    @Transactional
    public List<KeyView> list() {
        return PublisherKey.<PublisherKey>list("order by name").stream().map(KeyView::of).toList();
    }

    @Transactional
    public KeyView revoke(UUID id) {
        PublisherKey k = PublisherKey.<PublisherKey>findByIdOptional(id)
                .orElseThrow(() -> DomainException.of(ErrorCode.PUBLISHER_KEY_NOT_FOUND, "no publisher key " + id));
        if (k.revokedAt == null) k.revokedAt = clock.instant();
        return KeyView.of(k);
    }
}
