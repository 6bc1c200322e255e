package dev.modelyard.wire.trust;

import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The root of trust: which Ed25519 keys exist, which of them may sign new root versions (the
 * {@code root} role, kept offline) and which may sign releases (the {@code release} role, held
 * by the server), each with a signature threshold. A new version replaces the previous one,
 * which is how release keys are rotated or revoked.
 *
 * <pre>{"_type":"root","specVersion":1,"version":N,"expires":"2027-01-01T00:00:00Z",
 *  "keys":{"&lt;keyid&gt;":{"keytype":"ed25519","public":"&lt;base64 raw 32 bytes&gt;"}},
 *  "roles":{"root":{"keyids":[...],"threshold":T},"release":{"keyids":[...],"threshold":T}}}</pre>
 *
 * @param version     starts at 1 and grows by exactly one per new root
 * @param expires     after this the device verifies nothing until it gets a newer root
 * @param keys        key id to base64 raw public key; every key id is checked against its key
 * @param rootRole    keys and threshold for signing the next root version
 * @param releaseRole keys and threshold for signing artifact and rollback metadata
 */
public record RootMetadata(long version, Instant expires, Map<String, String> keys, Role rootRole, Role releaseRole)
        implements SignedMetadata {

    public static final String TYPE = "root";
    public static final String KEYTYPE = "ed25519";
    private static final String DOC = "root metadata";

    /** The keys allowed to sign for a role and how many distinct ones must sign. */
    public record Role(List<String> keyids, int threshold) {
        public Role {
            keyids = keyids == null ? null : List.copyOf(keyids);
        }
    }

    public RootMetadata {
        if (version < 1) throw Fields.invalid(DOC, "version", "must be at least 1, got " + version);
        expires = Fields.checkTime(expires, DOC, "expires");
        if (keys == null || keys.isEmpty()) throw Fields.invalid(DOC, "keys", "at least one key is required");
        keys = Collections.unmodifiableMap(new TreeMap<>(keys));
        keys.forEach(RootMetadata::checkKey);
        checkRole("root", rootRole, keys);
        checkRole("release", releaseRole, keys);
    }

    /**
     * Root metadata for the given keys, computing their ids; the usual way to produce a root.
     * A key may appear in both roles.
     */
    public static RootMetadata create(long version, Instant expires, List<PublicKey> rootKeys, int rootThreshold,
                                      List<PublicKey> releaseKeys, int releaseThreshold) {
        Map<String, String> keys = new TreeMap<>();
        Role root = role(rootKeys, rootThreshold, keys);
        Role release = role(releaseKeys, releaseThreshold, keys);
        return new RootMetadata(version, expires, keys, root, release);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The public key listed under {@code keyid}, or null when this root does not list it. */
    public PublicKey publicKey(String keyid) {
        String b64 = keys.get(keyid);
        return b64 == null ? null : Ed25519.publicKeyFromRaw(Base64.getDecoder().decode(b64));
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> keyMap = new TreeMap<>();
        keys.forEach((id, pub) -> keyMap.put(id, Fields.orderedMap("keytype", KEYTYPE, "public", pub)));
        Map<String, Object> roles = Fields.orderedMap("root", roleMap(rootRole), "release", roleMap(releaseRole));
        return Fields.orderedMap("_type", TYPE, "specVersion", (long) SPEC_VERSION, "version", version,
                "expires", Fields.formatTime(expires), "keys", keyMap, "roles", roles);
    }

    /** Reads the {@code signed} object of a root envelope, strictly. */
    public static RootMetadata fromMap(Object value) {
        Fields f = Fields.of(value, DOC, "", "_type", "specVersion", "version", "expires", "keys", "roles");
        f.requireHeader(TYPE);
        Fields keyFields = f.dataObject("keys");
        Map<String, String> keys = new TreeMap<>();
        for (String id : keyFields.keys()) {
            Fields k = Fields.of(keyFields.raw(id), DOC, keyFields.path(id), "keytype", "public");
            String keytype = k.string("keytype");
            if (!KEYTYPE.equals(keytype)) throw k.invalid("keytype", "'" + keytype + "' is not supported (only ed25519)");
            keys.put(id, k.string("public"));
        }
        Fields roles = f.object("roles", "root", "release");
        return new RootMetadata(f.integer("version"), f.instant("expires"), keys,
                readRole(roles, "root"), readRole(roles, "release"));
    }

    private static Role readRole(Fields roles, String name) {
        Fields r = roles.object(name, "keyids", "threshold");
        List<String> ids = new ArrayList<>();
        List<?> raw = r.array("keyids");
        for (int i = 0; i < raw.size(); i++) {
            if (!(raw.get(i) instanceof String s)) {
                throw r.invalid("keyids[" + i + "]", "expected a string, got " + Fields.describe(raw.get(i)));
            }
            ids.add(s);
        }
        return new Role(ids, r.intValue("threshold", 1, Integer.MAX_VALUE));
    }

    private static Map<String, Object> roleMap(Role role) {
        return Fields.orderedMap("keyids", role.keyids(), "threshold", (long) role.threshold());
    }

    private static Role role(List<PublicKey> publicKeys, int threshold, Map<String, String> keys) {
        List<String> ids = new ArrayList<>();
        for (PublicKey k : publicKeys) {
            byte[] raw = Ed25519.rawPublicKey(k);
            String id = Ed25519.keyId(raw);
            keys.put(id, Base64.getEncoder().encodeToString(raw));
            ids.add(id);
        }
        return new Role(ids, threshold);
    }

    // A key id that is not the hash of its key would let one key count as several signers.
    private static void checkKey(String keyid, String publicKey) {
        String path = "keys." + keyid;
        byte[] raw = Base64Strict.decode(publicKey, DOC + ": " + path + ".public");
        if (raw.length != Ed25519.KEY_BYTES) {
            throw Fields.invalid(DOC, path + ".public", "decodes to " + raw.length + " bytes, an Ed25519 key has 32");
        }
        if (!Ed25519.keyId(raw).equals(keyid)) {
            throw Fields.invalid(DOC, path, "key id is not the SHA-256 of the key (" + Ed25519.keyId(raw) + ")");
        }
    }

    private static void checkRole(String name, Role role, Map<String, String> keys) {
        String path = "roles." + name;
        if (role == null || role.keyids() == null) throw Fields.invalid(DOC, path, "is required");
        if (role.keyids().isEmpty()) throw Fields.invalid(DOC, path + ".keyids", "at least one key is required");
        if (new HashSet<>(role.keyids()).size() != role.keyids().size()) {
            throw Fields.invalid(DOC, path + ".keyids", "lists a key more than once");
        }
        for (String id : role.keyids()) {
            if (!keys.containsKey(id)) throw Fields.invalid(DOC, path + ".keyids", id + " is not in keys");
        }
        if (role.threshold() < 1 || role.threshold() > role.keyids().size()) {
            throw Fields.invalid(DOC, path + ".threshold", "must be between 1 and the number of keys ("
                    + role.keyids().size() + "), got " + role.threshold());
        }
    }
}
