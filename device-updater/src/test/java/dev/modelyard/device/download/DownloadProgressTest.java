package dev.modelyard.device.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloadProgressTest {

    static final long MB = 1_000_000;
    final Clock clock = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
    final List<String> logged = new ArrayList<>();
    final List<DownloadProgress.Snapshot> published = new ArrayList<>();
    long nanos = 1_000;

    private DownloadProgress progress() {
        return new DownloadProgress("kws", "2.0.0", "kws.onnx", () -> nanos, clock, logged::add, published::add);
    }

    private void after(Duration d) {
        nanos += d.toNanos();
    }

    @Test
    void aLargeSlowDownloadLogsEveryFiveSecondsAndTenPercentWhicheverComesLater() {
        DownloadProgress p = progress();
        long total = 117 * MB;
        p.at(0, total);
        // 1 MB/s: after 5 s only 4% is done, so nothing is logged before 10% (about 12 s).
        for (int s = 1; s <= 11; s++) {
            after(Duration.ofSeconds(1));
            p.at(s * MB, total);
        }
        assertEquals(List.of(), logged);
        after(Duration.ofSeconds(1));
        p.at(12 * MB, total);
        assertEquals(List.of("downloading kws 2.0.0 (kws.onnx): 10% (12.0 MB of 117.0 MB) at 1.0 MB/s, about 1m45s left"), logged);
        // Fast now (10 MB/s): 10% comes after a second, but the next line waits for the 5 seconds.
        for (int s = 1; s <= 4; s++) {
            after(Duration.ofSeconds(1));
            p.at((12 + 10 * s) * MB, total);
        }
        assertEquals(1, logged.size());
        after(Duration.ofSeconds(1));
        p.at(62 * MB, total);
        assertEquals(2, logged.size());
        assertEquals("downloading kws 2.0.0 (kws.onnx): 52% (62.0 MB of 117.0 MB) at 3.6 MB/s, about 16s left", logged.get(1));
    }

    @Test
    void aSmallDownloadLogsNothingAndPublishesItsEnd() {
        DownloadProgress p = progress();
        for (int i = 1; i <= 10; i++) {
            after(Duration.ofMillis(50));
            p.at(i * 100_000L, MB);
        }
        assertEquals(List.of(), logged);
        assertEquals(MB, published.get(published.size() - 1).done());
        assertTrue(published.size() <= 2, "at most once a second, and at the end: " + published.size());
    }

    @Test
    void theRateCountsOnlyThisAttemptAndIsUnknownAtFirst() {
        DownloadProgress p = progress();
        p.at(50 * MB, 100 * MB); // resumed: 50 MB came in an earlier attempt
        DownloadProgress.Snapshot first = published.get(0);
        assertEquals(0, first.bytesPerSecond());
        assertEquals(Optional.empty(), first.timeLeft());
        assertEquals("kws 2.0.0 (kws.onnx): 50% (50.0 MB of 100.0 MB)", first.describe());
        after(Duration.ofSeconds(2));
        p.at(54 * MB, 100 * MB);
        DownloadProgress.Snapshot later = published.get(published.size() - 1);
        assertEquals(2 * MB, later.bytesPerSecond());
        assertEquals(Optional.of(Duration.ofSeconds(23)), later.timeLeft());
        assertEquals("kws 2.0.0 (kws.onnx): 54% (54.0 MB of 100.0 MB) at 2.0 MB/s, about 23s left", later.describe());
    }

    @Test
    void sizesAndDurationsReadEasily() {
        assertEquals("512 B", DownloadProgress.bytes(512));
        assertEquals("1.5 kB", DownloadProgress.bytes(1_500));
        assertEquals("117.0 MB", DownloadProgress.bytes(117_000_000));
        assertEquals("4.3 GB", DownloadProgress.bytes(4_300_000_000L));
        assertEquals("45s", DownloadProgress.duration(Duration.ofSeconds(45)));
        assertEquals("5m0s", DownloadProgress.duration(Duration.ofMinutes(5)));
        assertEquals("2h3m", DownloadProgress.duration(Duration.ofMinutes(123)));
    }

    @Test
    void theProgressFileCarriesASnapshotToAnotherProcess(@TempDir Path dir) {
        ProgressFile file = new ProgressFile(dir.resolve("downloads/progress.json"));
        assertEquals(Optional.empty(), file.read());
        DownloadProgress.Snapshot s = new DownloadProgress.Snapshot("kws", "2.0.0", "kws.onnx", 5 * MB, 10 * MB, MB, clock.instant());
        file.write(s);
        assertEquals(Optional.of(s), new ProgressFile(dir.resolve("downloads/progress.json")).read());
        file.clear();
        assertEquals(Optional.empty(), file.read());
    }

    @Test
    void aDeltaDownloadShowsWhatItDownloadsInsteadOfTheFile(@TempDir Path dir) {
        DownloadProgress.Snapshot s = new DownloadProgress.Snapshot("kws", "2.0.0", "kws.onnx", "delta from 1f2e3d4c5b6a", 3 * MB,
                7 * MB, 0, clock.instant());
        assertEquals("kws 2.0.0 (kws.onnx): delta from 1f2e3d4c5b6a, 42% (3.0 MB of 7.0 MB)", s.describe());
        ProgressFile file = new ProgressFile(dir.resolve("progress.json"));
        file.write(s);
        assertEquals(Optional.of(s), file.read());
    }
}
