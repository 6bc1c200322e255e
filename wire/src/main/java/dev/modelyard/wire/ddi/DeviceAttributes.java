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

    private DeviceAttributes() {
    }
}
