package dev.modelyard.device.download;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * How far one download has got — percent, rate, time left — for people. The {@link Downloader}
 * feeds it after every block; it logs a line every {@link #LOG_INTERVAL} and {@link #LOG_STEP} of
 * the file, whichever comes later (a large download on a slow link shows that it is alive, a small
 * one done in seconds logs nothing), and publishes a snapshot at most every
 * {@link #PUBLISH_INTERVAL} for the {@code status} command.
 */
public final class DownloadProgress implements Downloader.Progress {

    static final Duration LOG_INTERVAL = Duration.ofSeconds(5);
    static final double LOG_STEP = 0.10;
    static final Duration PUBLISH_INTERVAL = Duration.ofSeconds(1);

    /**
     * One reading: {@code bytesPerSecond} is the rate of this attempt so far (0 until it can be
     * told); {@code via} what is downloaded instead of the file itself, e.g. {@code delta from
     * 1f2e3d4c5b6a} ({@code done} and {@code total} are then that download's), null for the file.
     */
    public record Snapshot(String model, String version, String file, String via, long done, long total, long bytesPerSecond,
                           Instant at) {

        /** A reading of the file itself. */
        public Snapshot(String model, String version, String file, long done, long total, long bytesPerSecond, Instant at) {
            this(model, version, file, null, done, total, bytesPerSecond, at);
        }

        public int percent() {
            return total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
        }

        /** At the current rate; empty while the rate is unknown. */
        public Optional<Duration> timeLeft() {
            if (bytesPerSecond <= 0) return Optional.empty();
            return Optional.of(Duration.ofSeconds((Math.max(0, total - done) + bytesPerSecond - 1) / bytesPerSecond));
        }

        /**
         * E.g. {@code kws 2.0.0 (kws.onnx): 44% (52.1 MB of 117.0 MB) at 3.2 MB/s, about 20s left}, or
         * {@code kws 2.0.0 (kws.onnx): delta from 1f2e3d4c5b6a, 44% (3.1 MB of 7.0 MB) …}.
         */
        public String describe() {
            StringBuilder sb = new StringBuilder().append(model).append(' ').append(version).append(" (").append(file).append("): ");
            if (via != null) sb.append(via).append(", ");
            sb.append(percent()).append("% (").append(bytes(done)).append(" of ").append(bytes(total)).append(')');
            if (bytesPerSecond > 0) sb.append(" at ").append(bytes(bytesPerSecond)).append("/s");
            timeLeft().ifPresent(t -> sb.append(", about ").append(duration(t)).append(" left"));
            return sb.toString();
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            m.put("version", version);
            m.put("file", file);
            if (via != null) m.put("via", via);
            m.put("done", done);
            m.put("total", total);
            m.put("bytesPerSecond", bytesPerSecond);
            m.put("at", at.toEpochMilli());
            return m;
        }

        public static Snapshot fromMap(Map<?, ?> m) {
            return new Snapshot((String) m.get("model"), (String) m.get("version"), (String) m.get("file"), (String) m.get("via"),
                    (Long) m.get("done"),
                    (Long) m.get("total"), (Long) m.get("bytesPerSecond"), Instant.ofEpochMilli((Long) m.get("at")));
        }
    }

    private final String model;
    private final String version;
    private final String file;
    private final String via;
    private final LongSupplier nanoTicker;
    private final Clock clock;
    private final Consumer<String> log;
    private final Consumer<Snapshot> publish;
    private boolean started;
    private long startNanos;
    private long startBytes;
    private long loggedNanos;
    private long loggedBytes;
    private long publishedNanos;

    /** {@code nanoTicker} (as {@link System#nanoTime()}) measures the rate; {@code clock} stamps the snapshots. */
    public DownloadProgress(String model, String version, String file, LongSupplier nanoTicker, Clock clock,
                            Consumer<String> log, Consumer<Snapshot> publish) {
        this(model, version, file, null, nanoTicker, clock, log, publish);
    }

    /** The progress of {@code via} (see {@link Snapshot#via()}) downloaded instead of {@code file}. */
    public DownloadProgress(String model, String version, String file, String via, LongSupplier nanoTicker, Clock clock,
                            Consumer<String> log, Consumer<Snapshot> publish) {
        this.model = model;
        this.version = version;
        this.file = file;
        this.via = via;
        this.nanoTicker = nanoTicker;
        this.clock = clock;
        this.log = log;
        this.publish = publish;
    }

    @Override
    public void at(long done, long total) {
        long now = nanoTicker.getAsLong();
        if (!started) {
            // The rate counts from the first block of this attempt: bytes kept from an earlier one came at another time.
            started = true;
            startNanos = loggedNanos = now;
            startBytes = loggedBytes = done;
            publishedNanos = now - PUBLISH_INTERVAL.toNanos();
        }
        Snapshot s = snapshot(done, total, now);
        boolean finished = done >= total;
        if (!finished && now - loggedNanos >= LOG_INTERVAL.toNanos() && done - loggedBytes >= (long) (LOG_STEP * total)) {
            log.accept("downloading " + s.describe());
            loggedNanos = now;
            loggedBytes = done;
        }
        if (finished || now - publishedNanos >= PUBLISH_INTERVAL.toNanos()) {
            publish.accept(s);
            publishedNanos = now;
        }
    }

    Snapshot snapshot(long done, long total, long now) {
        long elapsed = now - startNanos;
        // Under a second the rate is noise: unknown rather than wrong.
        long rate = elapsed < 1_000_000_000L ? 0 : (long) ((done - startBytes) * 1e9 / elapsed);
        return new Snapshot(model, version, file, via, done, total, rate, clock.instant());
    }

    /** Decimal units, one decimal from kB up: {@code 512 B}, {@code 3.2 MB}. */
    public static String bytes(long n) {
        if (n < 1000) return n + " B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** {@code 45s}, {@code 5m0s}, {@code 2h3m}. */
    public static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) return s + "s";
        if (s < 3600) return s / 60 + "m" + s % 60 + "s";
        return s / 3600 + "h" + s % 3600 / 60 + "m";
    }
}
