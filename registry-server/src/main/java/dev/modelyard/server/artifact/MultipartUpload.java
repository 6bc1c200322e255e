package dev.modelyard.server.artifact;

import dev.modelyard.wire.TargetDescriptor;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** A browser upload: the file plus the target descriptor as form fields. */
public class MultipartUpload {

    @RestForm("file")
    public FileUpload file;
    /** Overrides the name of the uploaded file. */
    @RestForm
    public String filename;
    @RestForm
    public String format;
    @RestForm
    public String runtime;
    @RestForm
    public String runtimeVersion;
    @RestForm
    public String arch;
    @RestForm
    public String accelerator;
    @RestForm
    public String precision;
    @RestForm
    public String minMemoryMb;
    @RestForm
    public String os;
    /** The CPU features the file needs, comma-separated. */
    @RestForm
    public String cpuFeatures;
    /** Expected SHA-256, hex. */
    @RestForm
    public String sha256;

    String effectiveFilename() {
        return filename != null && !filename.isBlank() ? filename : file.fileName();
    }

    TargetDescriptor toDescriptor(String name) {
        return TargetParams.descriptor(name, format, runtime, runtimeVersion, arch, accelerator, precision, minMemoryMb, os, cpuFeatures);
    }
}
