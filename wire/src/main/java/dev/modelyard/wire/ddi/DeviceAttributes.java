package dev.modelyard.wire.ddi;

/**
 * The configData attribute keys Modelyard reads to pick an artifact for a device. Other keys
 * are stored and shown but not interpreted.
 */
public final class DeviceAttributes {

    /** CPU architecture: x86_64, aarch64, armv7, … ({@code amd64} and {@code arm64} are understood). */
    public static final String ARCH = "arch";
    /** Comma-separated accelerators besides the CPU, e.g. {@code cuda,npu}; cpu is always assumed. */
    public static final String ACCELERATORS = "accelerators";
    /** Prefix of one key per installed runtime: {@code runtime.onnxruntime = 1.20.0}. */
    public static final String RUNTIME_PREFIX = "runtime.";
    /** Memory available to models, in MiB. */
    public static final String MEMORY_MB = "memory.mb";
    /** Free disk space for models, in MiB. */
    public static final String DISK_FREE_MB = "disk.free.mb";
    /** Operating system, e.g. linux. */
    public static final String OS = "os";
    /**
     * The device's time zone, an IANA name such as {@code Europe/Berlin}: maintenance windows
     * without a zone of their own are read in it (in UTC when a device reports none, or a name
     * that is not a zone). Modelyard's updater reports the zone of its system clock.
     */
    public static final String TIMEZONE = "timezone";
    /** Comma-separated CPU features Modelyard's updater detected (avx2, neon, …); informational. */
    public static final String CPU_FEATURES = "cpu.features";
    /** Number of CPU cores Modelyard's updater sees; informational. */
    public static final String CPU_CORES = "cpu.cores";
    /** The ONNX Runtime version Modelyard's updater runs models with. */
    public static final String RUNTIME_ONNXRUNTIME = RUNTIME_PREFIX + "onnxruntime";
    /**
     * Set by Modelyard's own device updater to the {@link #UPDATER_PROTOCOL} it speaks. Only a
     * device that reports it gets a deployment's signed release metadata
     * ({@code <file>.release.json}) and self-test vectors ({@code <file>.selftest.json}) as
     * extra artifacts of the chunk; every other device gets exactly one artifact per chunk, the
     * payload, as hawkBit sends for a software module with one artifact (stock clients such as
     * rauc-hawkbit-updater refuse more). The updater also refuses a release counter below the
     * installed one, so the server refuses such assignments for these devices up front.
     * Updaters older than this attribute are recognised by {@link #LEGACY_UPDATER_KEYS}.
     */
    public static final String UPDATER = "modelyard.updater";
    /**
     * The value of {@link #UPDATER} this code speaks. "1": signed metadata and self-tests as
     * chunk artifacts. "2": also signed metadata whose target names {@code cpuFeatures} (updaters
     * of protocol 1 and older report {@link #CPU_FEATURES} but refuse such metadata, so the
     * server gives them no file that needs CPU features: {@link #cpuFeaturesInMetadata}).
     */
    public static final String UPDATER_PROTOCOL = "2";

    /**
     * Whether the device's updater accepts signed metadata with {@code target.cpuFeatures}: it
     * announced protocol 2 or later. A device announcing none or "1" (an older Modelyard updater,
     * or a stock client) is treated as having no CPU features, so it still gets files that need none.
     */
    public static boolean cpuFeaturesInMetadata(java.util.Map<String, String> attributes) {
        String v = attributes == null ? null : attributes.get(UPDATER);
        if (v == null || v.isBlank()) return false;
        try {
            return Integer.parseInt(v.strip()) >= 2;
        } catch (NumberFormatException e) {
            // a protocol this server does not know cannot be assumed to accept the field
            return false;
        }
    }

    /**
     * Comma-separated versions of the delta format (module {@code modelyard-delta}) the device
     * applies, e.g. {@code 1}. Only a device that reports one is offered deltas and compressed
     * downloads ({@link DeploymentBase.Delta}).
     */
    public static final String DELTA = "modelyard.delta";
    /** The delta format versions this code applies, as reported in {@link #DELTA}. */
    public static final String DELTA_FORMATS = "1";
    /**
     * Prefix of one key per model the device serves, {@code modelyard.installed.<model> = <sha256>}
     * of the file it serves now: the base a delta for that model should start from. The server
     * also knows it from the device's finished actions; a device that rolled back by itself or
     * was provisioned another way corrects it here.
     */
    public static final String INSTALLED_PREFIX = "modelyard.installed.";

    /** The delta format versions named in {@link #DELTA}; empty when none or unreadable. */
    public static java.util.Set<Integer> deltaFormats(java.util.Map<String, String> attributes) {
        String v = attributes == null ? null : attributes.get(DELTA);
        if (v == null || v.isBlank()) return java.util.Set.of();
        java.util.Set<Integer> formats = new java.util.TreeSet<>();
        for (String part : v.split(",")) {
            try {
                formats.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                // an unknown token is not a format this server can offer
            }
        }
        return java.util.Set.copyOf(formats);
    }

    /**
     * The keys every version of Modelyard's updater has reported since its first release, long
     * before {@link #UPDATER} existed. Updaters built before it never announce themselves, yet
     * they need the signed metadata in the chunk (without it they refuse every deployment), so
     * reporting all of these keys counts as the announcement. Stock hawkBit clients report none
     * of the {@code cpu.*} keys: they are the names of the updater's own probe, not of any
     * hawkBit convention, and the runtime key alone would not do (an operator may configure a
     * stock client to report it so that an artifact can be chosen for it).
     */
    public static final java.util.List<String> LEGACY_UPDATER_KEYS = java.util.List.of(RUNTIME_ONNXRUNTIME, CPU_FEATURES, CPU_CORES);

    /**
     * True when the attributes come from Modelyard's own updater: it announced itself with
     * {@link #UPDATER} (any protocol version), or, being older than that attribute, reported
     * every one of {@link #LEGACY_UPDATER_KEYS}. The one rule the server uses for both the
     * signed files in a chunk and the release-counter check of an assignment.
     */
    public static boolean modelyardUpdater(java.util.Map<String, String> attributes) {
        if (attributes == null) return false;
        String v = attributes.get(UPDATER);
        if (v != null && !v.isBlank()) return true;
        return attributes.keySet().containsAll(LEGACY_UPDATER_KEYS);
    }

    private DeviceAttributes() {
    }
}
