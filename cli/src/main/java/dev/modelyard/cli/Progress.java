package dev.modelyard.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A transfer's progress on stderr: bytes done, speed and time left. On a terminal one line redrawn
 * in place (at most a few times a second); {@code plain} prints a line at each tenth of the way,
 * for CI logs; {@code none} prints nothing. Standard output stays clean for the answer.
 */
final class Progress {

    /** How progress is shown; {@code auto} is {@code bar} on a terminal and {@code none} otherwise. */
    enum Mode { AUTO, BAR, PLAIN, NONE }

    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream err;
    private final Mode mode;
    private final String label;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long startBytes = -1;
    private long done;
    private long lastDraw;
    private int lastTenth = -1;

    private Progress(PrintStream err, Mode mode, String label, long total) {
        this.err = err;
        this.mode = mode;
        this.label = label;
        this.total = total;
    }

    /** {@code auto} resolves to a bar only when stderr is the process's own and a terminal. */
    static Progress start(Main.Context context, Mode mode, String label, long total) {
        Mode m = mode;
        if (m == Mode.AUTO) m = context.err() == System.err && System.console() != null ? Mode.BAR : Mode.NONE;
        return new Progress(context.err(), m, label, total);
    }

    /** The byte count reached; bytes before the first call (a resumed transfer's) do not count towards the speed. */
    synchronized void at(long bytes) {
        if (startBytes < 0) startBytes = bytes;
        done = bytes;
        if (mode == Mode.BAR) {
            long now = System.nanoTime();
            if (now - lastDraw < REDRAW_NANOS && bytes < total) return;
            lastDraw = now;
            err.print("\r" + line() + "\u001b[K");
            err.flush();
        } else if (mode == Mode.PLAIN && total > 0) {
            int tenth = (int) Math.min(10, bytes * 10 / total);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                err.println(line());
            }
        }
    }

    synchronized void note(String message) {
        if (mode == Mode.NONE) return;
        if (mode == Mode.BAR) err.print("\r\u001b[K");
        err.println(label + ": " + message);
    }

    synchronized void finish() {
        if (mode == Mode.BAR) err.println();
    }

    String line() {
        double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        double speed = (done - Math.max(0, startBytes)) / seconds;
        int pct = total > 0 ? (int) (done * 100 / total) : 100;
        StringBuilder b = new StringBuilder(label).append(' ');
        if (mode == Mode.BAR) {
            int width = 24;
            int filled = (int) (width * (long) pct / 100);
            b.append('[').append("=".repeat(filled)).append(filled < width ? ">" : "").append(" ".repeat(Math.max(0, width - filled - 1))).append("] ");
        }
        b.append(String.format(Locale.ROOT, "%3d%% %s/%s %s/s", pct, bytes(done), bytes(total), bytes((long) speed)));
        if (speed > 0 && done < total) b.append(" ").append(duration((long) ((total - done) / speed))).append(" left");
        return b.toString();
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String duration(long seconds) {
        if (seconds >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    /** Picocli's reading of {@code --progress}: bar, plain, none or auto, in any case. */
    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            try {
                return Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "': use auto, bar, plain or none");
            }
        }
    }
}
