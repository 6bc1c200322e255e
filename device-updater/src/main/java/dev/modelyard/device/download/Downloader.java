package dev.modelyard.device.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Downloads a file of known size (taken from signed metadata) into a partial file, resuming with
 * an HTTP Range request after a cut. It never writes more than the expected size, so a server
 * that sends endless data cannot fill the disk, and it checks free space before starting.
 */
public final class Downloader {

    /** Bytes kept free on the disk beyond the download itself. */
    private static final long DISK_MARGIN = 16L * 1024 * 1024;
    private static final int BUFFER = 1 << 16;

    private final HttpClient http;
    private final Duration timeout;
    private final long bytesPerSecond;

    public Downloader(HttpClient http, Duration timeout) {
        this(http, timeout, 0);
    }

    /** {@code bytesPerSecond} caps the download rate (0: no cap), leaving a shared uplink usable while a model downloads. */
    public Downloader(HttpClient http, Duration timeout, long bytesPerSecond) {
        if (bytesPerSecond < 0) throw new IllegalArgumentException("the download rate limit must not be negative");
        this.http = http;
        this.timeout = timeout;
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Told how far a download has got. */
    public interface Progress {
        void at(long bytes, long total);
    }

    /** The download cannot complete as asked; retrying may help unless {@link #permanent()}. */
    public static final class DownloadException extends IOException {
        private final boolean permanent;

        DownloadException(String message, boolean permanent) {
            super(message);
            this.permanent = permanent;
        }

        public boolean permanent() {
            return permanent;
        }
    }

    /**
     * Brings {@code part} to {@code size} bytes from {@code url}, continuing from what it holds.
     * Returns normally only when the file has exactly {@code size} bytes; digest checks are the
     * caller's (the verifier's) job.
     */
    public void download(URI url, Map<String, String> headers, Path part, long size, Progress progress) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > size) {
            Files.delete(part);
            have = 0;
        }
        if (have == size) return;
        long free = Files.getFileStore(Files.createDirectories(part.toAbsolutePath().getParent())).getUsableSpace();
        if (free - DISK_MARGIN < size - have) {
            throw new DownloadException("not enough disk space: " + (size - have) + " bytes needed, " + free + " free", false);
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout).GET();
        headers.forEach(req::header);
        if (have > 0) req.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> r;
        try {
            r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download interrupted", e);
        }
        try (InputStream body = r.body()) {
            long start = switch (r.statusCode()) {
                case 206 -> rangeStart(r).orElseThrow(() -> new DownloadException("206 without a Content-Range", false));
                case 200 -> 0;
                case 416 -> throw new DownloadException("the server has fewer bytes than the signed size " + size, true);
                case 401, 403, 404, 410 -> throw new DownloadException("the server answered " + r.statusCode() + " for " + url, true);
                default -> throw new DownloadException("the server answered " + r.statusCode() + " for " + url, false);
            };
            if (start != have && start != 0) {
                throw new DownloadException("the server resumed at " + start + " but " + have + " bytes are here", false);
            }
            write(body, part, start, size, progress);
        }
        if (Files.size(part) != size) {
            throw new DownloadException("the connection ended after " + Files.size(part) + " of " + size + " bytes", false);
        }
    }

    private void write(InputStream body, Path part, long start, long size, Progress progress) throws IOException {
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(start);
            ch.position(start);
            OutputStream out = Channels.newOutputStream(ch);
            byte[] buf = new byte[bytesPerSecond > 0 ? (int) Math.min(BUFFER, Math.max(1024, bytesPerSecond / 10)) : BUFFER];
            long began = System.nanoTime();
            long at = start;
            long reported = at;
            int n;
            while ((n = body.read(buf)) > 0) {
                if (at + n > size) {
                    throw new DownloadException("the server sent more than the signed size of " + size + " bytes", true);
                }
                out.write(buf, 0, n);
                at += n;
                throttle(at - start, began);
                if (progress != null && (at - reported >= size / 20 || at == size)) {
                    progress.at(at, size);
                    reported = at;
                }
            }
            ch.force(false);
        }
    }

    /** Sleeps until {@code bytes} are no more than the rate limit allows since {@code began}. */
    private void throttle(long bytes, long began) throws IOException {
        if (bytesPerSecond <= 0) return;
        long due = began + (long) (bytes * 1e9 / bytesPerSecond);
        long ahead = due - System.nanoTime();
        if (ahead <= 0) return;
        try {
            Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download interrupted", e);
        }
    }

    private static Optional<Long> rangeStart(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Range").flatMap(v -> {
            String s = v.strip();
            if (!s.startsWith("bytes ")) return Optional.empty();
            int dash = s.indexOf('-');
            try {
                return Optional.of(Long.parseLong(s.substring(6, dash).strip()));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }
}
