package dev.modelyard.server.artifact;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.wire.TargetDescriptor;
import jakarta.ws.rs.QueryParam;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The target descriptor of an upload, given as query parameters. */
public class TargetParams {

    @QueryParam("format")
    public String format;
    @QueryParam("runtime")
    public String runtime;
    @QueryParam("runtimeVersion")
    public String runtimeVersion;
    @QueryParam("arch")
    public String arch;
    @QueryParam("accelerator")
    public String accelerator;
    @QueryParam("precision")
    public String precision;
    @QueryParam("minMemoryMb")
    public String minMemoryMb;
    @QueryParam("os")
    public String os;
    /** The CPU features the file needs, comma-separated (avx2,fma); they need a concrete arch. */
    @QueryParam("cpuFeatures")
    public String cpuFeatures;

    /** Validates the parameters; the format defaults to the file name's extension. */
    public TargetDescriptor toDescriptor(String filename) {
        return descriptor(filename, format, runtime, runtimeVersion, arch, accelerator, precision, minMemoryMb, os,
                cpuFeatures);
    }

    static TargetDescriptor descriptor(String filename, String format, String runtime, String runtimeVersion,
                                       String arch, String accelerator, String precision, String minMemoryMb,
                                       String os, String cpuFeatures) {
        String f = format != null && !format.isBlank() ? format : formatFromExtension(filename);
        if (f == null) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "format", "format: is required (it cannot be inferred from the file name '" + filename + "')");
        }
        try {
            return TargetDescriptor.of(f, runtime, runtimeVersion, arch, accelerator, precision, memory(minMemoryMb), os,
                    features(cpuFeatures));
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /** The descriptor's message starts with the member it is about ("cpuFeatures: …"): that is the parameter. */
    private static DomainException invalid(String message) {
        int colon = message.indexOf(':');
        String field = colon > 0 ? message.substring(0, colon) : null;
        return field != null && field.matches("[A-Za-z]+")
                ? DomainException.parameter(ErrorCode.INVALID_PARAMETER, field, message)
                : DomainException.of(ErrorCode.INVALID_PARAMETER, message);
    }

    /** A comma list ("avx2, fma"); blank items are refused, so "avx2,,fma" is not silently read as two. */
    private static List<String> features(String text) {
        if (text == null || text.isBlank()) return List.of();
        List<String> list = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            if (item.isBlank()) {
                throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "cpuFeatures",
                        "cpuFeatures: '" + text + "' has an empty item; give names separated by commas, such as avx2,fma");
            }
            list.add(item.strip());
        }
        return list;
    }

    private static Integer memory(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "minMemoryMb", "minMemoryMb: '" + text + "' is not a whole number");
        }
    }

    /**
     * The format a file name implies: model formats, and the update payloads of stock hawkBit
     * clients ({@link TargetDescriptor#PAYLOAD_FORMATS}); two-part extensions ({@code .tar.gz},
     * {@code .img.gz}) are recognised as a whole. Null when the name implies none.
     */
    static String formatFromExtension(String filename) {
        if (filename == null) return null;
        String name = filename.toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        if (dot < 0) return null;
        int before = name.lastIndexOf('.', dot - 1);
        if (before >= 0 && TargetDescriptor.PAYLOAD_FORMATS.contains(name.substring(before + 1))) {
            return name.substring(before + 1);
        }
        String ext = name.substring(dot + 1);
        if (TargetDescriptor.PAYLOAD_FORMATS.contains(ext)) return ext;
        return switch (ext) {
            case "onnx", "ort", "tflite" -> ext;
            case "engine", "plan" -> "tensorrt";
            case "tgz" -> "tar.gz";
            case "txz" -> "tar.xz";
            default -> null;
        };
    }
}
