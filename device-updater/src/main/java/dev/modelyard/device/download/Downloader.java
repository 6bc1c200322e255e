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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Downloads a file of known size (taken from signed metadata) into a partial file, resuming with
 * an HTTP Range request after a cut. It never writes more than the expected size, so a server
 * that sends endless data cannot fill the disk, and it checks free space before starting.
 */
public final class Downloader {

    /** Bytes kept free on the disk beyond the download itself. */
    private static final long DISK_MARGIN = 16L * 1024 * 1024;
    private static final int BUFFER = 1 << 16;

    private final Supplier<HttpClient> http;
    private final Duration timeout;
    private final long bytesPerSecond;

    public Downloader(HttpClient http, Duration timeout) {
        this(http, timeout, 0);
    }

    /** {@code bytesPerSecond} caps the download rate (0: no cap), leaving a shared uplink usable while a model downloads. */
    public Downloader(HttpClient http, Duration timeout, long bytesPerSecond) {
        this(() -> http, timeout, bytesPerSecond);
    }

    private Downloader(Supplier<HttpClient> http, Duration timeout, long bytesPerSecond) {
        if (bytesPerSecond < 0) throw new IllegalArgumentException("the download rate limit must not be negative");
        this.http = http;
        this.timeout = timeout;
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * A downloader that makes its HTTP client at its first download. Making one sets up the
     * default TLS context with the system's trust store, even for {@code http://}: several
     * megabytes a device that is only polling should not hold.
     */
    public static Downloader withClientOnFirstUse(Duration connectTimeout, Duration timeout, long bytesPerSecond) {
        return new Downloader(new Supplier<>() {
            private HttpClient client;

            @Override
            public synchronized HttpClient get() {
                if (client == null) client = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
                return client;
            }
        }, timeout, bytesPerSecond);
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
     * Returns normally only when the file has exactly {@code size} bytes, with the SHA-256 of the
     * whole file; comparing it with the signed one is the caller's job. The digest is computed as
     * the bytes arrive, so that checking a large download does not take a burst of CPU at the
     * end of it, when the device may be busy serving.
     */
    public byte[] download(URI url, Map<String, String> headers, Path part, long size, Progress progress) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > size) {
            Files.delete(part);
            have = 0;
        }
        if (have == size) return hashPrefix(part, size, sha256()).digest();
        long free = Files.getFileStore(Files.createDirectories(part.toAbsolutePath().getParent())).getUsableSpace();
        if (free - DISK_MARGIN < size - have) {
            throw new DownloadException("not enough disk space: " + (size - have) + " bytes needed, " + free + " free", false);
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout).GET();
        headers.forEach(req::header);
        if (have > 0) req.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> r = send(req.build());
        for (int hops = 0; isRedirect(r.statusCode()); hops++) {
            URI location = r.uri().resolve(r.headers().firstValue("Location").orElseThrow(() ->
                    new DownloadException("a redirect without a Location from " + url, false)));
            r.body().close();
            if (hops == MAX_REDIRECTS) throw new DownloadException("more than " + MAX_REDIRECTS + " redirects from " + url, false);
            // A server may send the bytes from elsewhere (a presigned S3 URL). That URL carries its
            // own authorization: the device's token stays with the server, only the range goes along.
            HttpRequest.Builder next = HttpRequest.newBuilder(location).timeout(timeout).GET();
            if (have > 0) next.header("Range", "bytes=" + have + "-");
            r = send(next.build());
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
            MessageDigest digest = hashPrefix(part, start, sha256());
            write(body, part, start, size, progress, digest);
            if (Files.size(part) != size) {
                throw new DownloadException("the connection ended after " + Files.size(part) + " of " + size + " bytes", false);
            }
            return digest.digest();
        }
    }

    private static final int MAX_REDIRECTS = 5;

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws IOException {
        try {
            return http.get().send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download interrupted", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Feeds the first {@code length} bytes of {@code file}, the part kept from an earlier attempt, to {@code md}. */
    private static MessageDigest hashPrefix(Path file, long length, MessageDigest md) throws IOException {
        if (length == 0) return md;
        byte[] buf = new byte[BUFFER];
        long left = length;
        try (InputStream in = Files.newInputStream(file)) {
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new IOException(file + " is shorter than " + length + " bytes");
                md.update(buf, 0, n);
                left -= n;
            }
        }
        return md;
    }

    private void write(InputStream body, Path part, long start, long size, Progress progress, MessageDigest digest) throws IOException {
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(start);
            ch.position(start);
            OutputStream out = Channels.newOutputStream(ch);
            byte[] buf = new byte[bytesPerSecond > 0 ? (int) Math.min(BUFFER, Math.max(1024, bytesPerSecond / 10)) : BUFFER];
            long began = System.nanoTime();
            long at = start;
            int n;
            while ((n = body.read(buf)) > 0) {
                if (at + n > size) {
                    throw new DownloadException("the server sent more than the signed size of " + size + " bytes", true);
                }
                out.write(buf, 0, n);
                digest.update(buf, 0, n);
                at += n;
                throttle(at - start, began);
                // After every block: the listener decides how often to tell anyone (see DownloadProgress).
                if (progress != null) progress.at(at, size);
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
