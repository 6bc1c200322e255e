import dev.modelyard.testing.OnnxModels;
import java.nio.file.Path;

/** Writes a valid ONNX model of about SIZE_MB megabytes (y = x + bias, with a wide bias). */
public class MakeModel {
    public static void main(String[] args) throws Exception {
        int floats = Integer.parseInt(args[1]) * 1024 * 1024 / 4;
        float[] bias = new float[floats];
        for (int i = 0; i < floats; i++) bias[i] = (i % 97) / 97f;
        OnnxModels.addBias(Path.of(args[0]), bias);
    }
}
