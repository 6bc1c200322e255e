import dev.modelyard.testing.DeltaModels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the v1 and v2 of one benchmark case with test-support's DeltaModels (streamed: a 500 MB
 * model never sits in memory) and prints {@code changed=<bytes that differ>}:
 * {@code MakePair CASE V1 V2 [MB]}. An MLP of 8 weight matrices, as in the measurements;
 * MB (the fp32 size) defaults to 105, or 500 for the big cases.
 */
public class MakePair {

    private static final long MB = 1_000_000;

    public static void main(String[] args) throws Exception {
        long size = args.length > 3 ? Long.parseLong(args[3]) * MB : (args[0].startsWith("big-") ? 500 : 105) * MB;
        DeltaModels.Mlp v1;
        DeltaModels.Mlp v2;
        switch (args[0]) {
            case "last-layers" -> { v1 = DeltaModels.ofSize(size, 8, 1); v2 = v1.lastLayersChanged(0.08); }
            case "fine-tune" -> { v1 = DeltaModels.ofSize(size, 8, 1); v2 = v1.fineTuned(7); }
            // The fp16 twin of the 105 MB fp32 model (half its size), its last layers retrained.
            case "fp16-last-layers" -> { v1 = DeltaModels.ofSize(size, 8, 1).fp16(); v2 = v1.lastLayersChanged(0.08); }
            case "big-last-layers" -> { v1 = DeltaModels.ofSize(size, 8, 1); v2 = v1.lastLayersChanged(0.08); }
            case "big-fine-tune" -> { v1 = DeltaModels.ofSize(size, 8, 1); v2 = v1.fineTuned(7); }
            default -> throw new IllegalArgumentException("unknown case " + args[0]);
        }
        Path a = v1.write(Path.of(args[1]));
        Path b = v2.write(Path.of(args[2]));
        System.out.println("changed=" + differingBytes(a, b) + " weight_std=" + DeltaModels.WEIGHT_STD
                + " noise=" + DeltaModels.FINE_TUNE_NOISE);
    }

    /** Bytes at the same offset that differ, plus the length difference. */
    private static long differingBytes(Path a, Path b) throws IOException {
        long n = Math.abs(Files.size(a) - Files.size(b));
        try (InputStream x = Files.newInputStream(a); InputStream y = Files.newInputStream(b)) {
            byte[] bx = new byte[1 << 20];
            byte[] by = new byte[1 << 20];
            while (true) {
                int rx = x.readNBytes(bx, 0, bx.length);
                int ry = y.readNBytes(by, 0, by.length);
                int common = Math.min(rx, ry);
                for (int i = 0; i < common; i++) if (bx[i] != by[i]) n++;
                if (rx < bx.length || ry < by.length) return n;
            }
        }
    }
}
