import dev.modelyard.delta.DeltaApplier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The device side of bench/delta/run.sh, on the classpath a device has for it (the delta module and
 * zstd-jni only), in a JVM of its own so that its peak RSS (VmHWM, read from /proc/self/status as
 * the last thing it does) is the apply's alone:
 *
 * <pre>
 * apply DELTA BASE|- OUT   DeltaApplier, streaming; "-": a delta without a base
 * idle                     nothing: the RSS of a JVM with the same settings and classpath
 * </pre>
 * Prints one line of key=value pairs for run.sh.
 */
public class DeltaApply {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("idle")) {
            System.out.println("hwm_kb=" + peakRssKb());
            return;
        }
        Path delta = Path.of(args[1]);
        Path base = args[2].equals("-") ? null : Path.of(args[2]);
        long t0 = System.nanoTime();
        // A device passes the SHA-256 of the file it holds; the bench's base is the delta's base by construction.
        String expectedBase = base == null ? null : DeltaApplier.header(delta).baseSha256();
        DeltaApplier.Applied a = DeltaApplier.apply(delta, base, expectedBase, Path.of(args[3]));
        long t1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "size=%d sha256=%s millis=%d hwm_kb=%d%n", a.size(),
                HexFormat.of().formatHex(a.sha256()), (t1 - t0) / 1_000_000, peakRssKb());
    }

    /** The process's peak resident set (VmHWM), in KiB. */
    static long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmHWM in /proc/self/status");
    }
}
