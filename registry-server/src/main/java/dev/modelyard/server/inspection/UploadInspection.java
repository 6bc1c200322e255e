package dev.modelyard.server.onnx;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.wire.TargetDescriptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Looks inside uploaded files whose format the registry understands (ONNX) before they are
 * stored; files of other formats stay opaque. A file that is not what its format says is refused
 * with INVALID_MODEL and the reason.
 */
@ApplicationScoped
public class UploadInspection {

    private final ModelyardConfig config;

    public UploadInspection(ModelyardConfig config) {
        this.config = config;
    }

    public OnnxInspector.Limits limits() {
        ModelyardConfig.Validation v = config.validation();
        return new OnnxInspector.Limits(v.onnxMaxSize().asLongValue(), v.onnxMinOpset(), v.onnxMaxOpset(),
                OnnxInspector.Limits.DEFAULT.maxIrVersion());
    }

    /** The findings for an ONNX file, empty for other formats; INVALID_MODEL when the file is not a usable model. */
    public Optional<OnnxInspector.Report> inspect(TargetDescriptor target, Path file) {
        if (!"onnx".equals(target.format())) return Optional.empty();
        try {
            return Optional.of(OnnxInspector.inspect(file, limits()));
        } catch (OnnxFormatException e) {
            throw DomainException.of(ErrorCode.INVALID_MODEL, "format onnx: " + e.getMessage() + "; nothing was stored");
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the staged upload", e);
        }
    }
}
