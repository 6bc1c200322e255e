package dev.modelyard.cli;

import dev.modelyard.wire.TargetDescriptor;
import java.util.List;
import picocli.CommandLine.Option;

/** What an artifact needs from a device; options left out are filled by the server from the format. */
final class TargetOptions {

    @Option(names = "--format", paramLabel = "FORMAT", description = "File format (default: from the file name).")
    String format;

    @Option(names = "--runtime", paramLabel = "RUNTIME", description = "Runtime that executes the file (default: from the format).")
    String runtime;

    @Option(names = "--arch", paramLabel = "ARCH", description = "CPU architecture (default: any).")
    String arch;

    @Option(names = "--accelerator", paramLabel = "NAME", description = "cpu, cuda, npu, … (default: cpu).")
    String accelerator;

    @Option(names = "--precision", paramLabel = "PRECISION", description = "fp32, fp16, int8, … (default: fp32).")
    String precision;

    @Option(names = "--cpu-features", paramLabel = "LIST", split = ",",
            description = "CPU features the file needs, comma-separated: avx2,fma or neon,dotprod (needs --arch; default: none).")
    List<String> cpuFeatures;

    /** Only the options given: the server infers the format from the file name, exactly as for any upload. */
    TargetDescriptor get() {
        return new TargetDescriptor(format, runtime, null, arch, accelerator, precision, null, null, cpuFeatures);
    }
}
