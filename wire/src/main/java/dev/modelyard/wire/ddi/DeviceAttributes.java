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
     * Set by Modelyard's own device updater to the {@link #UPDATER_PROTOCOL} it speaks. Only a
     * device that reports it gets a deployment's signed release metadata
     * ({@code <file>.release.json}) and self-test vectors ({@code <file>.selftest.json}) as
     * extra artifacts of the chunk; every other device gets exactly one artifact per chunk, the
     * payload, as hawkBit sends for a software module with one artifact (stock clients such as
     * rauc-hawkbit-updater refuse more). The updater also refuses a release counter below the
     * installed one, so the server refuses such assignments for these devices up front.
     */
    public static final String UPDATER = "modelyard.updater";
    /** The value of {@link #UPDATER} this code speaks: signed metadata and self-tests as chunk artifacts. */
    public static final String UPDATER_PROTOCOL = "1";

    /** True when the attributes announce Modelyard's own updater (any protocol version). */
    public static boolean modelyardUpdater(java.util.Map<String, String> attributes) {
        String v = attributes == null ? null : attributes.get(UPDATER);
        return v != null && !v.isBlank();
    }

    private DeviceAttributes() {
    }
}
