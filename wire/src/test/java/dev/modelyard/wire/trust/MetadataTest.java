package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.TargetDescriptor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MetadataTest {

    private static final String SHA = "0123456789abcdef".repeat(4);

    private static String canonical(SignedMetadata doc) {
        return new String(CanonicalJson.canonicalize(doc.toMap()), StandardCharsets.UTF_8);
    }

    /** Edits one field of {@code doc}'s map at a path like "target.arch", and reads it back. */
    @SuppressWarnings("unchecked")
    private static <T> T edited(SignedMetadata doc, String path, Object value, Function<Object, T> reader) {
        Map<String, Object> map = copy(doc.toMap());
        Map<String, Object> at = map;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) at = (Map<String, Object>) at.get(parts[i]);
        if (value == Remove.FIELD) {
            at.remove(parts[parts.length - 1]);
        } else {
            at.put(parts[parts.length - 1], value);
        }
        return reader.apply(map);
    }

    private enum Remove { FIELD }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> m ? copy((Map<String, Object>) m) : v));
        return out;
    }

    private static ArtifactMetadata artifact() {
        return new ArtifactMetadata("default", "kws", "1.2.0", 7, new ArtifactMetadata.ArtifactFile("m.onnx", SHA, 12345),
                new TargetDescriptor("onnx", "onnxruntime", ">=1.17", "aarch64", "cpu", "int8", 256, null),
                Instant.parse("2026-05-01T00:00:00Z"), Instant.parse("2026-08-01T00:00:00Z"));
    }

    private static RootMetadata root() {
        return Fixtures.root(1, Fixtures.ROOT_EXPIRES, List.of("root-a", "root-b"), 2, List.of("release-1"), 1);
    }

    @Test
    void artifactHasTheDocumentedForm() {
        assertEquals("{\"_type\":\"artifact\",\"artifact\":{\"filename\":\"m.onnx\",\"sha256\":\"" + SHA + "\",\"size\":12345},"
                + "\"expiresAt\":\"2026-08-01T00:00:00Z\",\"issuedAt\":\"2026-05-01T00:00:00Z\",\"model\":\"kws\","
                + "\"releaseCounter\":7,\"specVersion\":1,\"target\":{\"accelerator\":\"cpu\",\"arch\":\"aarch64\","
                + "\"format\":\"onnx\",\"minMemoryMb\":256,\"precision\":\"int8\",\"runtime\":\"onnxruntime\","
                + "\"runtimeVersion\":\">=1.17\"},\"tenant\":\"default\",\"version\":\"1.2.0\"}", canonical(artifact()));
    }

    @Test
    void artifactRoundTripsAndOmitsNullTargetFields() {
        ArtifactMetadata a = artifact();
        assertEquals(a, ArtifactMetadata.fromMap(CanonicalJson.parse(CanonicalJson.canonicalize(a.toMap()))));
        ArtifactMetadata bare = new ArtifactMetadata("default", "kws", "1.2.0", 7, a.artifact(),
                new TargetDescriptor("onnx", "onnxruntime", null, "any", "cpu", "fp32", null, null), a.issuedAt(), a.expiresAt());
        Map<?, ?> target = (Map<?, ?>) bare.toMap().get("target");
        assertEquals(List.of("format", "runtime", "arch", "accelerator", "precision"), List.copyOf(target.keySet()));
        assertEquals(bare, ArtifactMetadata.fromMap(bare.toMap()));
        ArtifactMetadata withOs = edited(a, "target.os", "linux", ArtifactMetadata::fromMap);
        assertEquals("linux", withOs.target().os());
    }

    @Test
    void artifactNamesItsSelfTestDocumentWhenTheVersionHasOne() {
        ArtifactMetadata a = artifact();
        ArtifactMetadata withTest = new ArtifactMetadata(a.tenant(), a.model(), a.version(), a.releaseCounter(), a.artifact(),
                a.target(), a.issuedAt(), a.expiresAt(), new ArtifactMetadata.SelfTestFile("m.onnx.selftest.json", SHA, 321));
        assertTrue(canonical(withTest).endsWith(",\"selfTest\":{\"filename\":\"m.onnx.selftest.json\",\"sha256\":\""
                + SHA + "\",\"size\":321},\"specVersion\":1,\"target\":{\"accelerator\":\"cpu\",\"arch\":\"aarch64\","
                + "\"format\":\"onnx\",\"minMemoryMb\":256,\"precision\":\"int8\",\"runtime\":\"onnxruntime\","
                + "\"runtimeVersion\":\">=1.17\"},\"tenant\":\"default\",\"version\":\"1.2.0\"}"), canonical(withTest));
        assertEquals(withTest, ArtifactMetadata.fromMap(CanonicalJson.parse(CanonicalJson.canonicalize(withTest.toMap()))));
        // Renewal keeps what was vouched for and moves only the window.
        ArtifactMetadata renewed = withTest.renewed(a.expiresAt(), a.expiresAt().plusSeconds(60));
        assertEquals(withTest.selfTest(), renewed.selfTest());
        assertEquals(a.expiresAt(), renewed.issuedAt());
        assertFalse(artifact().toMap().containsKey("selfTest"));
    }

    @Test
    void keepsWholeSeconds() {
        ArtifactMetadata a = new ArtifactMetadata("default", "kws", "1.2.0", 7, artifact().artifact(), artifact().target(),
                Instant.parse("2026-05-01T00:00:00.987654Z"), Instant.parse("2026-08-01T00:00:00.5Z"));
        assertEquals(Instant.parse("2026-05-01T00:00:00Z"), a.issuedAt());
        assertEquals("2026-08-01T00:00:00Z", a.toMap().get("expiresAt"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "tenant|REMOVE|artifact metadata: tenant: is required",
            "tenant|Default|artifact metadata: tenant: 'Default' is not a lower-case name",
            "model|1|artifact metadata: model: expected a string, got an integer",
            "version|1.2|artifact metadata: version: '1.2' is not a semantic version",
            "releaseCounter|str:7|artifact metadata: releaseCounter: expected an integer, got a string",
            "releaseCounter|-1|artifact metadata: releaseCounter: must be between 0 and 2^53-1",
            "artifact.size|str:12|artifact metadata: artifact.size: expected an integer, got a string",
            "artifact.sha256|ABC|artifact metadata: artifact.sha256: 'ABC' is not 64 lowercase hex digits",
            "artifact.filename|../etc/passwd|artifact metadata: artifact.filename: '../etc/passwd' is not a file name",
            "artifact.filename|REMOVE|artifact metadata: artifact.filename: is required",
            "artifact.mode|1|artifact metadata: artifact: unknown field(s) [mode]",
            "target.arch|sparc|artifact metadata: target.arch: 'sparc' is not one of",
            "target.arch|REMOVE|artifact metadata: target.arch: is required",
            "target.minMemoryMb|0|artifact metadata: target.minMemoryMb: must be between 1",
            "target.runtimeVersion|>=x|artifact metadata: target.runtimeVersion:",
            "target.gpu|yes|artifact metadata: target: unknown field(s) [gpu]",
            "issuedAt|2026-05-01T00:00:00.000Z|artifact metadata: issuedAt: '2026-05-01T00:00:00.000Z' is not a UTC time",
            "issuedAt|2026-05-01T02:00:00+02:00|artifact metadata: issuedAt:",
            "issuedAt|2026-02-30T00:00:00Z|artifact metadata: issuedAt:",
            "expiresAt|2026-04-01T00:00:00Z|artifact metadata: expiresAt: 2026-04-01T00:00:00Z is before issuedAt",
            "_type|root|artifact metadata: _type: expected \"artifact\", got \"root\"",
            "specVersion|2|artifact metadata: specVersion: version 2 is not supported",
            "extra|1|artifact metadata: (document): unknown field(s) [extra]",
            "selfTest|str:x.json|artifact metadata: selfTest: expected an object, got a string",
    })
    void artifactRejectsBadFieldsNamingThem(String path, String value, String message) {
        JsonFormatException e = assertThrows(JsonFormatException.class,
                () -> edited(artifact(), path, fieldValue(value), ArtifactMetadata::fromMap));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    /** REMOVE drops the field, digits become integers, str: forces a string. */
    private static Object fieldValue(String value) {
        if ("REMOVE".equals(value)) return Remove.FIELD;
        if (value.startsWith("str:")) return value.substring(4);
        return value.matches("-?\\d+") ? (Object) Long.parseLong(value) : value;
    }

    @Test
    void readsIntegersOfAnyJavaWidth() {
        Map<String, Object> map = copy(artifact().toMap());
        map.put("releaseCounter", 7);
        assertEquals(artifact(), ArtifactMetadata.fromMap(map));
    }

    @Test
    void artifactRejectsNullRatherThanOmitted() {
        JsonFormatException e = assertThrows(JsonFormatException.class,
                () -> edited(artifact(), "target.os", null, ArtifactMetadata::fromMap));
        assertEquals("artifact metadata: target.os: must be omitted rather than null", e.getMessage());
        e = assertThrows(JsonFormatException.class, () -> edited(artifact(), "model", null, ArtifactMetadata::fromMap));
        assertEquals("artifact metadata: model: expected a string, got null", e.getMessage());
        e = assertThrows(JsonFormatException.class, () -> edited(artifact(), "selfTest", null, ArtifactMetadata::fromMap));
        assertEquals("artifact metadata: selfTest: must be omitted rather than null", e.getMessage());
    }

    @Test
    void rootHasTheDocumentedForm() {
        RootMetadata root = root();
        String a = Fixtures.keyId("root-a");
        String b = Fixtures.keyId("root-b");
        String r = Fixtures.keyId("release-1");
        Map<String, String> pub = Map.of(a, publicB64("root-a"), b, publicB64("root-b"), r, publicB64("release-1"));
        StringBuilder keys = new StringBuilder();
        pub.keySet().stream().sorted().forEach(id -> keys.append(keys.length() == 0 ? "" : ",")
                .append("\"").append(id).append("\":{\"keytype\":\"ed25519\",\"public\":\"").append(pub.get(id)).append("\"}"));
        assertEquals("{\"_type\":\"root\",\"expires\":\"2027-01-01T00:00:00Z\",\"keys\":{" + keys + "},"
                + "\"roles\":{\"release\":{\"keyids\":[\"" + r + "\"],\"threshold\":1},"
                + "\"root\":{\"keyids\":[\"" + a + "\",\"" + b + "\"],\"threshold\":2}},"
                + "\"specVersion\":1,\"version\":1}", canonical(root));
        assertEquals(root, RootMetadata.fromMap(CanonicalJson.parse(CanonicalJson.canonicalize(root.toMap()))));
        assertEquals(Fixtures.key("root-a").getPublic(), root.publicKey(a));
        assertNull(root.publicKey(Fixtures.keyId("attacker")));
    }

    private static String publicB64(String name) {
        return Base64.getEncoder().encodeToString(Ed25519.rawPublicKey(Fixtures.key(name).getPublic()));
    }

    @Test
    void rootRejectsAKeyIdThatIsNotItsKeysHash() {
        RootMetadata root = root();
        Map<String, String> keys = new LinkedHashMap<>(root.keys());
        String a = Fixtures.keyId("root-a");
        // The attacker's key listed under root-a's id would count as root-a.
        keys.put(a, publicB64("attacker"));
        JsonFormatException e = assertThrows(JsonFormatException.class,
                () -> new RootMetadata(1, Fixtures.ROOT_EXPIRES, keys, root.rootRole(), root.releaseRole()));
        assertTrue(e.getMessage().startsWith("root metadata: keys." + a + ": key id is not the SHA-256"), e.getMessage());
    }

    @Test
    void rootRejectsInconsistentRoles() {
        RootMetadata root = root();
        String a = Fixtures.keyId("root-a");
        assertMessage("root metadata: roles.root.threshold: must be between 1 and the number of keys (2), got 3",
                () -> new RootMetadata(1, Fixtures.ROOT_EXPIRES, root.keys(), new RootMetadata.Role(root.rootRole().keyids(), 3),
                        root.releaseRole()));
        assertMessage("root metadata: roles.release.threshold: must be between 1 and the number of keys (1), got 0",
                () -> new RootMetadata(1, Fixtures.ROOT_EXPIRES, root.keys(), root.rootRole(),
                        new RootMetadata.Role(root.releaseRole().keyids(), 0)));
        assertMessage("root metadata: roles.root.keyids: lists a key more than once",
                () -> new RootMetadata(1, Fixtures.ROOT_EXPIRES, root.keys(), new RootMetadata.Role(List.of(a, a), 2),
                        root.releaseRole()));
        String unknown = Fixtures.keyId("attacker");
        assertMessage("root metadata: roles.release.keyids: " + unknown + " is not in keys",
                () -> new RootMetadata(1, Fixtures.ROOT_EXPIRES, root.keys(), root.rootRole(),
                        new RootMetadata.Role(List.of(unknown), 1)));
        assertMessage("root metadata: roles.release.keyids: at least one key is required",
                () -> new RootMetadata(1, Fixtures.ROOT_EXPIRES, root.keys(), root.rootRole(), new RootMetadata.Role(List.of(), 1)));
        assertMessage("root metadata: version: must be at least 1, got 0",
                () -> new RootMetadata(0, Fixtures.ROOT_EXPIRES, root.keys(), root.rootRole(), root.releaseRole()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "roles.release|REMOVE|root metadata: roles.release: is required",
            "roles.targets|x|root metadata: roles: unknown field(s) [targets]",
            "version|str:1|root metadata: version: expected an integer, got a string",
            "expires|tomorrow|root metadata: expires: 'tomorrow' is not a UTC time",
            "keys|REMOVE|root metadata: keys: is required",
            "_type|artifact|root metadata: _type: expected \"root\", got \"artifact\"",
    })
    void rootRejectsBadFieldsNamingThem(String path, String value, String message) {
        JsonFormatException e = assertThrows(JsonFormatException.class,
                () -> edited(root(), path, fieldValue(value), RootMetadata::fromMap));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void rootRejectsOtherKeyTypesAndShortKeys() {
        String a = Fixtures.keyId("root-a");
        assertMessage("root metadata: keys." + a + ".keytype: 'rsa' is not supported (only ed25519)",
                () -> edited(root(), "keys." + a + ".keytype", "rsa", RootMetadata::fromMap));
        assertMessage("root metadata: keys." + a + ".public: decodes to 3 bytes, an Ed25519 key has 32",
                () -> edited(root(), "keys." + a + ".public", "AAAA", RootMetadata::fromMap));
        JsonFormatException e = assertThrows(JsonFormatException.class,
                () -> edited(root(), "roles.root.keyids", List.of(1L), RootMetadata::fromMap));
        assertEquals("root metadata: roles.root.keyids[0]: expected a string, got an integer", e.getMessage());
    }

    @Test
    void rollbackHasTheDocumentedFormAndCoversExactlyOneRelease() {
        RollbackAuthorization r = new RollbackAuthorization("default", "kws", "1.1.0", 5,
                Instant.parse("2026-05-20T00:00:00Z"), Instant.parse("2026-06-20T00:00:00Z"));
        assertEquals("{\"_type\":\"rollback\",\"expiresAt\":\"2026-06-20T00:00:00Z\",\"issuedAt\":\"2026-05-20T00:00:00Z\","
                + "\"model\":\"kws\",\"specVersion\":1,\"tenant\":\"default\",\"toReleaseCounter\":5,\"toVersion\":\"1.1.0\"}",
                canonical(r));
        assertEquals(r, RollbackAuthorization.fromMap(CanonicalJson.parse(CanonicalJson.canonicalize(r.toMap()))));
        ArtifactMetadata a = artifact();
        ArtifactMetadata target = new ArtifactMetadata("default", "kws", "1.1.0", 5, a.artifact(), a.target(), a.issuedAt(), a.expiresAt());
        assertTrue(r.covers(target));
        assertFalse(r.covers(new ArtifactMetadata("default", "kws", "1.1.0", 4, a.artifact(), a.target(), a.issuedAt(), a.expiresAt())));
        assertFalse(r.covers(new ArtifactMetadata("default", "kws", "1.1.1", 5, a.artifact(), a.target(), a.issuedAt(), a.expiresAt())));
        assertFalse(r.covers(new ArtifactMetadata("default", "vad", "1.1.0", 5, a.artifact(), a.target(), a.issuedAt(), a.expiresAt())));
        assertFalse(r.covers(new ArtifactMetadata("acme", "kws", "1.1.0", 5, a.artifact(), a.target(), a.issuedAt(), a.expiresAt())));
        assertMessage("rollback authorization: toReleaseCounter: expected an integer, got a string",
                () -> edited(r, "toReleaseCounter", "5", RollbackAuthorization::fromMap));
        assertMessage("rollback authorization: (document): unknown field(s) [releaseCounter]",
                () -> edited(r, "releaseCounter", 5L, RollbackAuthorization::fromMap));
    }

    private static void assertMessage(String expected, Runnable action) {
        JsonFormatException e = assertThrows(JsonFormatException.class, action::run);
        assertEquals(expected, e.getMessage());
    }
}
