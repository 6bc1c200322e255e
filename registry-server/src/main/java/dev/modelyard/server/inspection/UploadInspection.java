package dev.modelyard.server.inspection;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.onnx.OnnxFormatException;
import dev.modelyard.server.onnx.OnnxInspector;
import dev.modelyard.server.tflite.TfliteFormatException;
import dev.modelyard.server.tflite.TfliteInspector;
import dev.modelyard.wire.IoSignature;
import dev.modelyard.wire.TargetDescriptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Looks inside uploaded files whose format the registry understands (ONNX, TensorFlow Lite)
 * before they are stored; files of other formats stay opaque. A file that is not what its format
 * says is refused with INVALID_MODEL and the reason.
 */
@ApplicationScoped
public class UploadInspection {

    /**
     * What was found in a model file.
     *
     * @param format      the format inspected, the key of the findings in the artifact's metadata
     * @param metadata    the findings as JSON-ready values
     * @param ioSignature the inputs and outputs the file declares, when the registry can name them
     */
    public record Findings(String format, Map<String, Object> metadata, Optional<IoSignature> ioSignature) {
    }

    private final ModelyardConfig config;

    public UploadInspection(ModelyardConfig config) {
        this.config = config;
    }

    public OnnxInspector.Limits limits() {
        ModelyardConfig.Validation v = config.validation();
        return new OnnxInspector.Limits(v.onnxMaxSize().asLongValue(), v.onnxMinOpset(), v.onnxMaxOpset(),
                OnnxInspector.Limits.DEFAULT.maxIrVersion());
    }

    /** The findings for a model file, empty for opaque formats; INVALID_MODEL when the file is not a usable model. */
    public Optional<Findings> inspect(TargetDescriptor target, Path file) {
        try {
            return switch (target.format() == null ? "" : target.format()) {
                case "onnx" -> {
                    OnnxInspector.Report r = OnnxInspector.inspect(file, limits());
                    yield Optional.of(new Findings("onnx", r.toMap(), r.ioSignature()));
                }
                case "tflite" -> {
                    TfliteInspector.Report r = TfliteInspector.inspect(file, TfliteInspector.Limits.DEFAULT);
                    yield Optional.of(new Findings("tflite", r.toMap(), r.ioSignature()));
                }
                default -> Optional.empty();
            };
        } catch (OnnxFormatException | TfliteFormatException e) {
            throw DomainException.of(ErrorCode.INVALID_MODEL, "format " + target.format() + ": " + e.getMessage() + "; nothing was stored");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the staged upload", e);
        }
    }
}
