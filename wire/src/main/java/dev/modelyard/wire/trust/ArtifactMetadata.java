package dev.modelyard.wire.trust;

import dev.modelyard.wire.SemVer;
import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the release key vouches for when it signs one artifact of a model version: which tenant
 * and model it belongs to, the exact file (name, SHA-256, size), the target it runs on, the
 * model's monotonic release counter and the validity window.
 *
 * <pre>{"_type":"artifact","specVersion":1,"tenant":"default","model":"kws","version":"1.2.0",
 *  "releaseCounter":7,"artifact":{"filename":"m.onnx","sha256":"&lt;hex&gt;","size":12345},
 *  "target":{"format":"onnx","runtime":"onnxruntime","runtimeVersion":"&gt;=1.17","arch":"aarch64",
 *  "accelerator":"cpu","precision":"int8","minMemoryMb":256,"os":"linux"},
 *  "issuedAt":"2026-05-01T00:00:00Z","expiresAt":"2026-08-01T00:00:00Z"}</pre>
 *
 * The target's {@code runtimeVersion}, {@code minMemoryMb} and {@code os} are omitted when null.
 * Times are kept to whole seconds. When the version has self-test vectors, {@code selfTest} names
 * the file that holds them ({@code "selfTest":{"filename":…,"sha256":…,"size":…}}), so a device
 * runs exactly the vectors the release key vouched for, and cannot be made to skip them.
 *
 * @param releaseCounter per (tenant, model), grows with every release; devices refuse lower ones
 * @param selfTest       the version's self-test document, or null when it has none
 */
public record ArtifactMetadata(String tenant, String model, String version, long releaseCounter,
                               ArtifactFile artifact, TargetDescriptor target, Instant issuedAt, Instant expiresAt,
                               SelfTestFile selfTest)
        implements SignedMetadata {

    public static final String TYPE = "artifact";
    private static final String DOC = "artifact metadata";
    // The registry's own naming rules, so everything it stores can be signed.
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern FILENAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    // Room for an artifact's name plus a suffix such as ".selftest.json".
    private static final Pattern COMPANION_FILENAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,159}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * The artifact file. The filename cannot hold a path separator, so a device may use it
     * under its own directory.
     *
     * @param sha256 lowercase hex SHA-256 of the file
     * @param size   exact length in bytes; the device reads no further
     */
    public record ArtifactFile(String filename, String sha256, long size) {
        public ArtifactFile {
            Fields.require(filename, FILENAME, DOC, "artifact.filename", "a file name of letters, digits, '.', '_' or '-'");
            Fields.require(sha256, SHA256, DOC, "artifact.sha256", "64 lowercase hex digits");
            if (size < 0 || size > CanonicalJson.MAX_SAFE_INTEGER) {
                throw Fields.invalid(DOC, "artifact.size", "must be between 0 and 2^53-1, got " + size);
            }
        }
    }

    /**
     * The version's self-test document (inputs and expected outputs, see the README), served
     * beside the artifact. Same rules as {@link ArtifactFile}.
     */
    public record SelfTestFile(String filename, String sha256, long size) {
        public SelfTestFile {
            Fields.require(filename, COMPANION_FILENAME, DOC, "selfTest.filename", "a file name of letters, digits, '.', '_' or '-'");
            Fields.require(sha256, SHA256, DOC, "selfTest.sha256", "64 lowercase hex digits");
            if (size < 0 || size > CanonicalJson.MAX_SAFE_INTEGER) {
                throw Fields.invalid(DOC, "selfTest.size", "must be between 0 and 2^53-1, got " + size);
            }
        }
    }

    /** Metadata of a version without self-test vectors. */
    public ArtifactMetadata(String tenant, String model, String version, long releaseCounter, ArtifactFile artifact,
                            TargetDescriptor target, Instant issuedAt, Instant expiresAt) {
        this(tenant, model, version, releaseCounter, artifact, target, issuedAt, expiresAt, null);
    }

    /** The same statement with a new validity window, as when it is signed again. */
    public ArtifactMetadata renewed(Instant newIssuedAt, Instant newExpiresAt) {
        return new ArtifactMetadata(tenant, model, version, releaseCounter, artifact, target, newIssuedAt, newExpiresAt,
                selfTest);
    }

    public ArtifactMetadata {
        Fields.require(tenant, NAME, DOC, "tenant", "a lower-case name");
        Fields.require(model, NAME, DOC, "model", "a lower-case name");
        checkVersion(version, DOC, "version");
        checkCounter(releaseCounter, DOC, "releaseCounter");
        if (artifact == null) throw Fields.invalid(DOC, "artifact", "is required");
        if (target == null) throw Fields.invalid(DOC, "target", "is required");
        try {
            target.validate();
        } catch (IllegalArgumentException e) {
            // TargetDescriptor names the field first ("arch: ..."), so prefixing gives its path.
            throw new JsonFormatException(DOC + ": target." + e.getMessage());
        }
        issuedAt = Fields.checkTime(issuedAt, DOC, "issuedAt");
        expiresAt = Fields.checkTime(expiresAt, DOC, "expiresAt");
        checkWindow(issuedAt, expiresAt, DOC);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> file = Fields.orderedMap("filename", artifact.filename(), "sha256", artifact.sha256(),
                "size", artifact.size());
        Map<String, Object> t = Fields.orderedMap("format", target.format(), "runtime", target.runtime(),
                "runtimeVersion", target.runtimeVersion(), "arch", target.arch(), "accelerator", target.accelerator(),
                "precision", target.precision(),
                "minMemoryMb", target.minMemoryMb() == null ? null : target.minMemoryMb().longValue(), "os", target.os(),
                // Only when the file needs some: metadata without them is byte-for-byte what it was before the field existed.
                "cpuFeatures", target.cpuFeatures().isEmpty() ? null : List.copyOf(target.cpuFeatures()));
        Map<String, Object> test = selfTest == null ? null : Fields.orderedMap("filename", selfTest.filename(),
                "sha256", selfTest.sha256(), "size", selfTest.size());
        return Fields.orderedMap("_type", TYPE, "specVersion", (long) SPEC_VERSION, "tenant", tenant, "model", model,
                "version", version, "releaseCounter", releaseCounter, "artifact", file, "target", t,
                "issuedAt", Fields.formatTime(issuedAt), "expiresAt", Fields.formatTime(expiresAt), "selfTest", test);
    }

    /** The target's CPU features: absent means none; present, a non-empty array of strings. */
    private static List<String> cpuFeatures(Fields t) {
        if (t.raw("cpuFeatures") == null) return List.of();
        List<?> list = t.array("cpuFeatures");
        if (list.isEmpty()) throw t.invalid("cpuFeatures", "must not be empty (leave it out instead)");
        List<String> out = new java.util.ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) throw t.invalid("cpuFeatures", "must hold strings, not " + Fields.describe(o));
            out.add(s);
        }
        return out;
    }

    /** Reads the {@code signed} object of an artifact envelope, strictly. */
    public static ArtifactMetadata fromMap(Object value) {
        Fields f = Fields.of(value, DOC, "", "_type", "specVersion", "tenant", "model", "version", "releaseCounter",
                "artifact", "target", "issuedAt", "expiresAt", "selfTest");
        f.requireHeader(TYPE);
        Fields a = f.object("artifact", "filename", "sha256", "size");
        Fields t = f.object("target", "format", "runtime", "runtimeVersion", "arch", "accelerator", "precision",
                "minMemoryMb", "os", "cpuFeatures");
        Integer minMemory = t.optionalInteger("minMemoryMb") == null ? null : t.intValue("minMemoryMb", 1, Integer.MAX_VALUE);
        TargetDescriptor target = new TargetDescriptor(t.string("format"), t.string("runtime"),
                t.optionalString("runtimeVersion"), t.string("arch"), t.string("accelerator"), t.string("precision"),
                minMemory, t.optionalString("os"), cpuFeatures(t));
        Fields s = f.optionalObject("selfTest", "filename", "sha256", "size");
        SelfTestFile selfTest = s == null ? null : new SelfTestFile(s.string("filename"), s.string("sha256"), s.integer("size"));
        return new ArtifactMetadata(f.string("tenant"), f.string("model"), f.string("version"),
                f.integer("releaseCounter"), new ArtifactFile(a.string("filename"), a.string("sha256"), a.integer("size")),
                target, f.instant("issuedAt"), f.instant("expiresAt"), selfTest);
    }

    static void checkVersion(String version, String doc, String path) {
        if (version == null) throw Fields.invalid(doc, path, "is required");
        if (!SemVer.isValid(version)) throw Fields.invalid(doc, path, "'" + version + "' is not a semantic version");
    }

    static void checkCounter(long counter, String doc, String path) {
        if (counter < 0 || counter > CanonicalJson.MAX_SAFE_INTEGER) {
            throw Fields.invalid(doc, path, "must be between 0 and 2^53-1, got " + counter);
        }
    }

    static void checkWindow(Instant issuedAt, Instant expiresAt, String doc) {
        if (expiresAt.isBefore(issuedAt)) {
            throw Fields.invalid(doc, "expiresAt", Fields.formatTime(expiresAt) + " is before issuedAt "
                    + Fields.formatTime(issuedAt));
        }
    }
}
