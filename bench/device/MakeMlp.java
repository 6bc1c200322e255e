import dev.modelyard.testing.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a perceptron with a 1x256 input and enough hidden width for about SIZE_MB megabytes of
 * float32 weights: usage {@code MakeMlp OUT.onnx SIZE_MB SEED BIAS}.
 */
public class MakeMlp {
    public static void main(String[] args) throws Exception {
        long bytes = Long.parseLong(args[1]) * 1024 * 1024;
        int hidden = 2048;
        // 4 bytes × (256·h + (layers-1)·h² + h·256)
        int layers = (int) Math.max(1, Math.round((bytes / 4.0 - 512.0 * hidden) / ((double) hidden * hidden)) + 1);
        Files.write(Path.of(args[0]), OnnxModels.mlp(256, hidden, layers, 256, Long.parseLong(args[2]), Float.parseFloat(args[3])));
    }
}
