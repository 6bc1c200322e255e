import dev.modelyard.testing.TfliteMlp;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the TensorFlow Lite counterpart of MakeMlp's model for the swap benchmark: input 1x256,
 * one hidden layer sized so the float32 weights take about MB megabytes, output 256.
 * Usage: {@code MakeTfliteMlp OUT MB SEED}.
 */
public class MakeTfliteMlp {
    public static void main(String[] args) throws Exception {
        long bytes = Long.parseLong(args[1]) * 1024 * 1024;
        int hidden = (int) Math.max(1, bytes / 4 / (256 + 256));
        Files.write(Path.of(args[0]), TfliteMlp.seeded(Long.parseLong(args[2]), 256, hidden, 256).float32());
    }
}
