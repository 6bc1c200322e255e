package dev.modelyard.device.download;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real HTTP server on loopback that can cut connections, ignore ranges or send too much. */
class DownloaderTest {

    static final byte[] FILE = new byte[300_000];

    static final byte[] SHA256;

    static {
        new Random(3).nextBytes(FILE);
        try {
            SHA256 = java.security.MessageDigest.getInstance("SHA-256").digest(FILE);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @TempDir
    Path dir;
    HttpServer server;
    final AtomicInteger cutAfter = new AtomicInteger(-1);
    final AtomicReference<String> mode = new AtomicReference<>("ranges");
    final List<String> ranges = new ArrayList<>();
    final Downloader downloader = new Downloader(HttpClient.newHttpClient(), Duration.ofSeconds(60));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/file", this::serve);
        // As a server with presigned downloads: the device's request is answered with a redirect to the bucket.
        server.createContext("/redirected", ex -> {
            synchronized (authorizations) {
                authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            }
            ex.getResponseHeaders().set("Location", "/file?X-Amz-Signature=abc");
            ex.sendResponseHeaders(307, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    final List<String> authorizations = new ArrayList<>();

    private void serve(HttpExchange ex) throws IOException {
        synchronized (authorizations) {
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        synchronized (ranges) {
            ranges.add(String.valueOf(range));
        }
        byte[] body = mode.get().equals("endless") ? new byte[FILE.length + 1000] : FILE;
        int from = 0;
        if (range != null && mode.get().equals("ranges")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (FILE.length - 1) + "/" + FILE.length);
            ex.sendResponseHeaders(206, FILE.length - from);
        } else {
            ex.sendResponseHeaders(200, body.length);
        }
        int limit = cutAfter.getAndSet(-1);
        int end = limit >= 0 ? from + limit : body.length;
        try {
            ex.getResponseBody().write(Arrays.copyOfRange(body, from, Math.min(end, body.length)));
            if (limit >= 0) {
                ex.getResponseBody().flush();
                throw new IOException("cut");
            }
        } finally {
            ex.close();
        }
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/file");
    }

    @Test
    void resumesWithARangeAfterACut() throws Exception {
        Path part = dir.resolve("m.part");
        cutAfter.set(100_000);
        assertThrows(IOException.class, () -> downloader.download(url(), Map.of(), part, FILE.length, null));
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < FILE.length, "a partial file remains: " + kept);

        List<Long> progress = new ArrayList<>();
        byte[] digest = downloader.download(url(), Map.of("Authorization", "TargetToken t"), part, FILE.length, (at, total) -> progress.add(at));

        assertArrayEquals(FILE, Files.readAllBytes(part));
        assertArrayEquals(SHA256, digest, "the digest covers the kept part and the resumed rest");
        assertEquals("bytes=" + kept + "-", ranges.get(1));
        assertEquals((long) FILE.length, progress.get(progress.size() - 1));
    }

    @Test
    void followsARedirectWithTheRangeButWithoutTheToken() throws Exception {
        Path part = dir.resolve("m.part");
        Files.write(part, Arrays.copyOf(FILE, 1000));
        URI redirected = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/redirected");

        byte[] digest = downloader.download(redirected, Map.of("Authorization", "TargetToken t"), part, FILE.length, null);

        assertArrayEquals(SHA256, digest);
        assertArrayEquals(FILE, Files.readAllBytes(part));
        assertEquals(List.of("bytes=1000-"), ranges, "the resumed range went to the redirect's target");
        // The server saw the token; the presigned URL authorizes itself and must not get it.
        assertEquals(List.of("TargetToken t", "null"), authorizations);
    }

    @Test
    void theDaemonsDownloaderMakesItsClientAtTheFirstDownloadAndResumesAndRedirectsTheSame() throws Exception {
        Downloader lazy = Downloader.withClientOnFirstUse(Duration.ofSeconds(10), Duration.ofSeconds(60), 0);
        Path part = dir.resolve("m.part");
        cutAfter.set(100_000);
        assertThrows(IOException.class, () -> lazy.download(url(), Map.of(), part, FILE.length, null));
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < FILE.length, "a partial file remains: " + kept);
        URI redirected = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/redirected");

        assertArrayEquals(SHA256, lazy.download(redirected, Map.of("Authorization", "TargetToken t"), part, FILE.length, null));

        assertArrayEquals(FILE, Files.readAllBytes(part));
        assertEquals(List.of("null", "bytes=" + kept + "-"), ranges, "the second attempt resumed after the kept part");
        assertEquals(List.of("null", "TargetToken t", "null"), authorizations, "the token stays with the server");
    }

    @Test
    void startsOverWhenTheServerIgnoresTheRange() throws Exception {
        Path part = dir.resolve("m.part");
        Files.write(part, Arrays.copyOf(FILE, 1000));
        mode.set("no-ranges");
        assertArrayEquals(SHA256, downloader.download(url(), Map.of(), part, FILE.length, null));
        assertArrayEquals(FILE, Files.readAllBytes(part));
    }

    @Test
    void neverWritesPastTheSignedSize() {
        Path part = dir.resolve("m.part");
        mode.set("endless");
        Downloader.DownloadException e = assertThrows(Downloader.DownloadException.class,
                () -> downloader.download(url(), Map.of(), part, FILE.length, null));
        assertTrue(e.permanent());
        assertTrue(e.getMessage().contains("more than the signed size"), e.getMessage());
    }

    @Test
    void refusesWhenTheDiskCannotHoldIt() {
        Downloader.DownloadException e = assertThrows(Downloader.DownloadException.class,
                () -> downloader.download(url(), Map.of(), dir.resolve("huge.part"), Long.MAX_VALUE / 2, null));
        assertFalse(e.permanent());
        assertTrue(e.getMessage().contains("disk space"), e.getMessage());
    }

    @Test
    void aCompleteFileIsNotFetchedAgain() throws Exception {
        Path part = Files.write(dir.resolve("m.part"), FILE);
        assertArrayEquals(SHA256, downloader.download(url(), Map.of(), part, FILE.length, null));
        assertTrue(ranges.isEmpty());
    }

    @Test
    void keepsToTheRateLimit() throws Exception {
        Path part = dir.resolve("m.part");
        Downloader limited = new Downloader(HttpClient.newHttpClient(), Duration.ofSeconds(60), 1_000_000);
        long start = System.nanoTime();
        limited.download(url(), Map.of(), part, FILE.length, null);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertArrayEquals(FILE, Files.readAllBytes(part));
        // 300,000 bytes at 1 MB/s: at least 0.3 s; without the limit this takes a few milliseconds.
        assertTrue(millis >= 290, "took only " + millis + " ms");
    }
}
