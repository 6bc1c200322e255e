import dev.modelyard.server.delta.encode.DeltaEncoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The server side of bench/delta/run.sh, in a JVM of its own so that its peak RSS (VmHWM, read
 * from /proc/self/status as the last thing it does) is the build's alone:
 *
 * <pre>
 * BASE|- BASE_SHA|- TARGET TARGET_SHA OUT LEVEL SCRATCH   DeltaEncoding, as the server's builder calls it
 * </pre>
 * The digests come from run.sh: the server knows them before it builds (stored with each blob).
 * Prints one line of key=value pairs.
 */
public class DeltaBuild {

    public static void main(String[] args) throws Exception {
        Path base = args[0].equals("-") ? null : Path.of(args[0]);
        String baseSha = args[1].equals("-") ? null : args[1];
        long t0 = System.nanoTime();
        DeltaEncoding.Encoded e = DeltaEncoding.encode(new DeltaEncoding.Request(base, baseSha, Path.of(args[2]), args[3],
                "onnx", Integer.parseInt(args[5]), Path.of(args[6])), Path.of(args[4]));
        long t1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "method=%s size=%d millis=%d hwm_kb=%d%n", e.method(), e.size(),
                (t1 - t0) / 1_000_000, peakRssKb());
    }

    static long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmHWM in /proc/self/status");
    }
}
