package dev.modelyard.device.delta;

import static dev.modelyard.device.Deltas.compressed;
import static dev.modelyard.device.Deltas.delta;
import static dev.modelyard.device.Deltas.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.modelyard.delta.DeltaHeader;
import dev.modelyard.device.Deltas;
import dev.modelyard.device.SignedReleases;
import dev.modelyard.device.download.Downloader;
import dev.modelyard.device.install.Installer;
import dev.modelyard.device.store.ModelStore;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.ddi.Link;
import dev.modelyard.wire.trust.VerifiedRelease;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device's ways to a payload against a real HTTP server on loopback serving real files: real
 * ONNX models (v1 held by the device, v2 to install: a tenth of its weights and its output bias changed), deltas
 * written with the delta format's own writer, release metadata signed as the server signs it.
 */
class PayloadFetcherTest {

    static final String FILE = "kws.onnx";
    static final byte[] V1 = OnnxModels.mlp(16, 128, 2, 16, 7, 1f);
    static final byte[] V2 = Deltas.someWeightsChanged(OnnxModels.mlp(16, 128, 2, 16, 7, 2f));
    /** A model the device does not hold. */
    static final byte[] OTHER = OnnxModels.mlp(16, 128, 2, 16, 8, 1f);

    @TempDir
    Path dir;
    HttpServer server;
    final Map<String, byte[]> served = new ConcurrentHashMap<>();
    /** Path → bytes after which the server closes the connection, once. */
    final Map<String, Integer> cutOnce = new ConcurrentHashMap<>();
    /** Path → the error status the server answers for it, every time. */
    final Map<String, Integer> failing = new ConcurrentHashMap<>();
    /** "path range" of every request. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> notes = new CopyOnWriteArrayList<>();
    /** What each download's progress was for: null for the payload itself. */
    final List<String> progressVia = new CopyOnWriteArrayList<>();
    final Downloader downloader = new Downloader(HttpClient.newHttpClient(), Duration.ofSeconds(60));
    Path downloads;
    Path v1File;
    VerifiedRelease release;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", this::serve);
        server.start();
        downloads = dir.resolve("downloads");
        v1File = Files.write(Files.createDirectories(dir.resolve("held")).resolve("v1.onnx"), V1);
        served.put("/" + FILE, V2);
        SignedReleases signing = new SignedReleases();
        SignedReleases.Release r = signing.release(dir, "2.0.0", 2, V2);
        Installer checker = new Installer(new ModelStore(dir.resolve("models")), null, signing.trust(), SignedReleases.DEVICE,
                "default", Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30);
        release = checker.checkRelease("kws", r.json(), null);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(path + " " + range);
        try {
            Integer status = failing.get(path);
            if (status != null) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            byte[] body = served.get(path);
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            int from = 0;
            if (range != null) {
                from = Integer.parseInt(range.substring(6, range.length() - 1));
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
                ex.sendResponseHeaders(206, body.length - from);
            } else {
                ex.sendResponseHeaders(200, body.length);
            }
            Integer cut = cutOnce.remove(path);
            ex.getResponseBody().write(Arrays.copyOfRange(body, from, cut == null ? body.length : Math.min(body.length, from + cut)));
            if (cut != null) {
                ex.getResponseBody().flush();
                throw new IOException("cut"); // the exchange ends without the rest: the client sees the connection close
            }
        } finally {
            ex.close();
        }
    }

    private String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
    }

    private PayloadFetcher fetcher(boolean deltas) {
        return new PayloadFetcher((href, part, size, p) -> downloader.download(URI.create(href), Map.of(), part, size, p), downloads,
                deltas);
    }

    private PayloadFetcher.Fetched fetch(List<DeploymentBase.Delta> offers) throws IOException {
        return fetch(fetcher(true), offers, Map.of(sha256(V1), v1File));
    }

    private PayloadFetcher.Fetched fetch(PayloadFetcher f, List<DeploymentBase.Delta> offers, Map<String, Path> held) throws IOException {
        return f.fetch(new PayloadFetcher.Request("41", FILE, url(FILE), offers, held, release),
                via -> {
                    progressVia.add(String.valueOf(via));
                    return (at, total) -> { };
                }, notes::add);
    }

    /** Serves a delta under {@code name} and returns its offer, with the digest of the bytes served. */
    private DeploymentBase.Delta offer(String name, String base, byte[] delta) {
        served.put("/" + name, delta);
        return new DeploymentBase.Delta(name, FILE, base, base == null ? "planes" : "test-xor", 1, delta.length,
                new DeploymentBase.Hashes(null, null, sha256(delta)), Map.of("download", new Link(url(name))));
    }

    private void assertVerifiedV2(PayloadFetcher.Fetched f) throws IOException {
        assertEquals(downloads.resolve("41-" + FILE + ".part"), f.file());
        assertArrayEquals(V2, Files.readAllBytes(f.file()));
        assertArrayEquals(release.sha256(), f.sha256());
        try (Stream<Path> left = Files.list(downloads)) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().noneMatch(n -> n.endsWith(".rebuild") || n.endsWith(".mydelta.part")),
                    "no rebuild or delta file is left: " + names);
        }
    }

    private long requestsFor(String name) {
        return requests.stream().filter(r -> r.startsWith("/" + name + " ")).count();
    }

    @Test
    void aDeltaFromTheHeldFileIsChosenOverTheCompressedFileOverTheFullOne() throws Exception {
        byte[] d = delta(V1, V2);
        byte[] c = compressed(V2);
        assertTrue(d.length < c.length && c.length < V2.length, d.length + " < " + c.length + " < " + V2.length);
        List<DeploymentBase.Delta> offers = List.of(offer("kws.onnx.2.mydelta", null, c), offer("kws.onnx.1.mydelta", sha256(V1), d));

        PayloadFetcher.Fetched f = fetch(offers);

        assertVerifiedV2(f);
        assertEquals(new Feedback.Transfer(FILE, Feedback.Transfer.DELTA, "test-xor", sha256(V1), d.length, V2.length, null),
                f.transfer());
        assertEquals(List.of("/kws.onnx.1.mydelta null"), requests, "only the delta was downloaded");
        assertEquals(List.of("delta from " + sha256(V1).substring(0, 12)), progressVia);
        assertTrue(notes.isEmpty());
    }

    @Test
    void withoutAHeldBaseTheCompressedFileIsChosenAndADeltaFromAnotherFileIsNotTried() throws Exception {
        byte[] c = compressed(V2);
        List<DeploymentBase.Delta> offers = List.of(offer("kws.onnx.1.mydelta", sha256(OTHER), delta(OTHER, V2)),
                offer("kws.onnx.2.mydelta", null, c));

        PayloadFetcher.Fetched f = fetch(offers);

        assertVerifiedV2(f);
        assertEquals(new Feedback.Transfer(FILE, Feedback.Transfer.COMPRESSED, "planes", null, c.length, V2.length, null), f.transfer());
        assertEquals(0, requestsFor("kws.onnx.1.mydelta"));
    }

    @Test
    void withDeltasDisabledOrNoneOfferedTheFullFileIsDownloaded() throws Exception {
        List<DeploymentBase.Delta> offers = List.of(offer("kws.onnx.1.mydelta", sha256(V1), delta(V1, V2)));

        PayloadFetcher.Fetched f = fetch(fetcher(false), offers, Map.of(sha256(V1), v1File));

        assertVerifiedV2(f);
        assertEquals(new Feedback.Transfer(FILE, Feedback.Transfer.FULL, null, null, V2.length, V2.length, null), f.transfer());
        assertEquals(List.of("/" + FILE + " null"), requests);
    }

    @Test
    void anOfferForAnotherFileAFormatNotAppliedOrNoSavingIsNotTaken() throws Exception {
        byte[] d = delta(V1, V2);
        served.put("/x.mydelta", d);
        Map<String, Link> links = Map.of("download", new Link(url("x.mydelta")));
        DeploymentBase.Hashes hashes = new DeploymentBase.Hashes(null, null, sha256(d));
        List<DeploymentBase.Delta> offers = List.of(
                new DeploymentBase.Delta("x.mydelta", "other.onnx", sha256(V1), "test-xor", 1, d.length, hashes, links),
                new DeploymentBase.Delta("x.mydelta", FILE, sha256(V1), "test-xor", 2, d.length, hashes, links),
                new DeploymentBase.Delta("x.mydelta", FILE, sha256(V1), "test-xor", 1, V2.length, hashes, links),
                new DeploymentBase.Delta("../x.mydelta", FILE, sha256(V1), "test-xor", 1, d.length, hashes, links));

        PayloadFetcher.Fetched f = fetch(offers);

        assertVerifiedV2(f);
        assertEquals(Feedback.Transfer.FULL, f.transfer().kind());
        assertEquals(0, requestsFor("x.mydelta"));
    }

    @Test
    void aCorruptedDeltaFallsBackToTheFullFileAndSaysWhy() throws Exception {
        byte[] d = delta(V1, V2);
        // Corrupted where the server keeps it: the deployment's digest is of the bad bytes, so the
        // transfer checks out. In the compressed operations, past the header.
        for (int i = Deltas.middleOfBody(d); i < Deltas.middleOfBody(d) + 16; i++) d[i] ^= 0x5a;
        List<DeploymentBase.Delta> offers = List.of(offer("kws.onnx.1.mydelta", sha256(V1), d));

        PayloadFetcher.Fetched f = fetch(offers);

        assertVerifiedV2(f);
        Feedback.Transfer t = f.transfer();
        assertEquals(Feedback.Transfer.FULL, t.kind());
        assertEquals(d.length + V2.length, t.bytes(), "the failed delta's bytes count");
        assertTrue(t.fallback().startsWith("delta from " + sha256(V1).substring(0, 12) + " failed ("), t.fallback());
        assertEquals(1, notes.size());
        assertTrue(notes.get(0).endsWith("; downloading the full file"), notes.get(0));
        assertEquals(List.of("delta from " + sha256(V1).substring(0, 12), "null"), progressVia, "both downloads show their progress");
    }

    @Test
    void aDeltaWhoseResultIsNotTheSignedFileFallsBackToTheCompressedOne() throws Exception {
        // It claims the signed target but rebuilds OTHER: only the result's digest can tell.
        byte[] lying = delta(V1, OTHER, new DeltaHeader("test-xor", sha256(V1), V1.length, sha256(V2), V2.length));
        byte[] c = compressed(V2);
        List<DeploymentBase.Delta> offers = List.of(offer("kws.onnx.1.mydelta", sha256(V1), lying), offer("kws.onnx.2.mydelta", null, c));

        PayloadFetcher.Fetched f = fetch(offers);

        assertVerifiedV2(f);
        assertEquals(Feedback.Transfer.COMPRESSED, f.transfer().kind());
        assertEquals(lying.length + c.length, f.transfer().bytes());
        assertTrue(f.transfer().fallback().startsWith("delta from " + sha256(V1).substring(0, 12) + " failed"), f.transfer().fallback());
        assertTrue(notes.get(0).endsWith("; downloading the compressed file"), notes.get(0));
    }

    @Test
    void aDeltaForAnotherTargetIsGivenUpBeforeItIsApplied() throws Exception {
        byte[] honest = delta(V1, OTHER); // its header names OTHER, not the signed file
        PayloadFetcher.Fetched f = fetch(List.of(offer("kws.onnx.1.mydelta", sha256(V1), honest)));

        assertVerifiedV2(f);
        assertEquals(Feedback.Transfer.FULL, f.transfer().kind());
        assertTrue(f.transfer().fallback().contains("rebuilds another file than the signed one"), f.transfer().fallback());
    }

    @Test
    void aDeltaMadeFromAnotherBaseThanOfferedFallsBackBeforeItIsApplied() throws Exception {
        // Offered as starting from v1, which the device holds, but made from a file it does not hold.
        byte[] fromOther = delta(OTHER, V2);
        PayloadFetcher.Fetched f = fetch(List.of(offer("kws.onnx.1.mydelta", sha256(V1), fromOther)));

        assertVerifiedV2(f);
        assertEquals(Feedback.Transfer.FULL, f.transfer().kind());
        assertEquals(fromOther.length + V2.length, f.transfer().bytes());
        assertTrue(f.transfer().fallback().contains("wrong base"), f.transfer().fallback());
    }

    @Test
    void aDeltaTheServerNoLongerHasFallsBackToTheFullFile() throws Exception {
        DeploymentBase.Delta gone = offer("kws.onnx.1.mydelta", sha256(V1), delta(V1, V2));
        served.remove("/kws.onnx.1.mydelta");

        PayloadFetcher.Fetched f = fetch(List.of(gone));

        assertVerifiedV2(f);
        assertEquals(new Feedback.Transfer(FILE, Feedback.Transfer.FULL, null, null, V2.length, V2.length, f.transfer().fallback()),
                f.transfer());
        assertTrue(f.transfer().fallback().contains("404"), f.transfer().fallback());
    }

    @Test
    void aDeltaWhoseBytesDifferFromTheDeploymentsDigestFallsBack() throws Exception {
        byte[] d = delta(V1, V2);
        DeploymentBase.Delta o = offer("kws.onnx.1.mydelta", sha256(V1), d);
        byte[] other = d.clone();
        other[other.length - 1] ^= 1; // damaged on the way: same size, another digest
        served.put("/kws.onnx.1.mydelta", other);

        PayloadFetcher.Fetched f = fetch(List.of(o));

        assertVerifiedV2(f);
        assertTrue(f.transfer().fallback().contains("SHA-256 is not the one the deployment gives"), f.transfer().fallback());
    }

    @Test
    void aBaseFileThatIsGoneOrChangedFallsBack() throws Exception {
        byte[] d = delta(V1, V2);
        Files.write(v1File, Arrays.copyOf(V1, V1.length - 100)); // changed since it was verified
        PayloadFetcher.Fetched changed = fetch(List.of(offer("kws.onnx.1.mydelta", sha256(V1), d)));
        assertVerifiedV2(changed);
        assertTrue(changed.transfer().fallback().contains("base file changed"), changed.transfer().fallback());

        Files.delete(changed.file());
        Files.delete(downloads.resolve("41-" + FILE + PayloadFetcher.STATE_SUFFIX));
        Files.delete(v1File);
        PayloadFetcher.Fetched missing = fetch(List.of(offer("kws.onnx.1.mydelta", sha256(V1), d)));
        assertVerifiedV2(missing);
        assertTrue(missing.transfer().fallback().contains("base file missing"), missing.transfer().fallback());
    }

    @Test
    void aDeltaDownloadCutMidwayResumesOnTheNextAttempt() throws Exception {
        byte[] d = delta(V1, V2);
        DeploymentBase.Delta o = offer("kws.onnx.1.mydelta", sha256(V1), d);
        cutOnce.put("/kws.onnx.1.mydelta", d.length / 2);

        IOException cut = assertThrows(IOException.class, () -> fetch(List.of(o)));
        assertFalse(cut instanceof Downloader.DownloadException e && e.permanent(), "a cut is not a reason to give the delta up");
        long kept = Files.size(downloads.resolve("41-kws.onnx.1.mydelta.part"));
        assertTrue(kept > 0 && kept < d.length, "a partial delta remains: " + kept);

        PayloadFetcher.Fetched f = fetch(List.of(o));

        assertVerifiedV2(f);
        assertEquals(new Feedback.Transfer(FILE, Feedback.Transfer.DELTA, "test-xor", sha256(V1), d.length, V2.length, null), f.transfer());
        assertEquals(List.of("/kws.onnx.1.mydelta null", "/kws.onnx.1.mydelta bytes=" + kept + "-"), requests);
        assertTrue(notes.isEmpty());
    }

    @Test
    void aKillDuringReconstructionEndsInTheVerifiedFileWithoutDownloadingAgain() throws Exception {
        byte[] d = delta(V1, V2);
        DeploymentBase.Delta o = offer("kws.onnx.1.mydelta", sha256(V1), d);
        // What a process killed while applying leaves: the complete delta, half a rebuild, the state naming the way.
        Files.createDirectories(downloads);
        Files.write(downloads.resolve("41-kws.onnx.1.mydelta.part"), d);
        Files.write(downloads.resolve("41-" + FILE + PayloadFetcher.REBUILD_SUFFIX), Arrays.copyOf(OTHER, V2.length / 2));
        TransferState.NONE.choosing(new TransferState.Way(Feedback.Transfer.DELTA, "test-xor", sha256(V1), d.length))
                .write(downloads.resolve("41-" + FILE + PayloadFetcher.STATE_SUFFIX));

        PayloadFetcher.Fetched f = fetch(List.of(o));

        assertVerifiedV2(f);
        assertEquals(Feedback.Transfer.DELTA, f.transfer().kind());
        assertTrue(requests.isEmpty(), "nothing downloaded again: " + requests);
    }

    @Test
    void aRebuiltFileAlreadyInPlaceIsTheCompleteDownloadAndKeepsItsReport() throws Exception {
        byte[] d = delta(V1, V2);
        DeploymentBase.Delta o = offer("kws.onnx.1.mydelta", sha256(V1), d);
        PayloadFetcher.Fetched first = fetch(List.of(o));
        requests.clear();

        // Killed after the rename, before the installer took the file: the next attempt finds it.
        PayloadFetcher.Fetched again = fetch(List.of(o));

        assertVerifiedV2(again);
        assertEquals(first.transfer(), again.transfer());
        assertTrue(requests.isEmpty(), "nothing downloaded again: " + requests);
    }

    @Test
    void aWayGivenUpBeforeARestartIsNotTriedAgainAndItsBytesStillCount() throws Exception {
        byte[] d = delta(V1, V2);
        d[Deltas.middleOfBody(d)] ^= 0x33;
        DeploymentBase.Delta o = offer("kws.onnx.1.mydelta", sha256(V1), d);
        cutOnce.put("/" + FILE, V2.length / 3);
        assertThrows(IOException.class, () -> fetch(List.of(o)), "the full download after the fallback is cut");
        requests.clear();

        PayloadFetcher.Fetched f = fetch(List.of(o));

        assertVerifiedV2(f);
        assertEquals(Feedback.Transfer.FULL, f.transfer().kind());
        assertEquals(d.length + V2.length, f.transfer().bytes());
        assertTrue(f.transfer().fallback().startsWith("delta from"), f.transfer().fallback());
        assertEquals(1, requests.size(), "only the rest of the full file: " + requests);
        assertTrue(requests.get(0).startsWith("/" + FILE + " bytes="), requests.get(0));
    }

    @Test
    void aDeltaTheServerKeepsFailingIsGivenUpAfterSomeAttemptsEvenAcrossRestarts() throws Exception {
        DeploymentBase.Delta o = offer("kws.onnx.1.mydelta", sha256(V1), delta(V1, V2));
        failing.put("/kws.onnx.1.mydelta", 500);

        for (int attempt = 1; attempt < PayloadFetcher.MAX_STALLS; attempt++) {
            // Each attempt is a new fetcher, as after a restart: only the state file remembers.
            Downloader.DownloadException e = assertThrows(Downloader.DownloadException.class, () -> fetch(List.of(o)));
            assertFalse(e.permanent(), "a 500 may pass: attempt " + attempt + " is retried on the next poll");
            assertTrue(notes.isEmpty(), notes.toString());
        }
        assertEquals(PayloadFetcher.MAX_STALLS - 1, requestsFor("kws.onnx.1.mydelta"));
        assertEquals(0, requestsFor(FILE));

        PayloadFetcher.Fetched f = fetch(List.of(o));

        assertVerifiedV2(f);
        assertEquals(PayloadFetcher.MAX_STALLS, requestsFor("kws.onnx.1.mydelta"));
        assertEquals(Feedback.Transfer.FULL, f.transfer().kind());
        assertTrue(f.transfer().fallback().contains("500") && f.transfer().fallback().contains(PayloadFetcher.MAX_STALLS + " attempts"),
                f.transfer().fallback());
        assertEquals(1, notes.size(), notes.toString());
        requests.clear();
        assertVerifiedV2(fetch(List.of(o)));
        assertEquals(0, requestsFor("kws.onnx.1.mydelta"), "given up for good: " + requests);
    }

    @Test
    void aDeltaDownloadThatGetsBytesEachTimeIsNotCountedAsStalled() throws Exception {
        byte[] d = delta(V1, V2);
        DeploymentBase.Delta o = offer("kws.onnx.1.mydelta", sha256(V1), d);
        int step = d.length / (PayloadFetcher.MAX_STALLS + 2);
        for (int attempt = 1; attempt <= PayloadFetcher.MAX_STALLS + 1; attempt++) {
            cutOnce.put("/kws.onnx.1.mydelta", step);
            assertThrows(IOException.class, () -> fetch(List.of(o)));
        }

        PayloadFetcher.Fetched f = fetch(List.of(o));

        assertVerifiedV2(f);
        assertEquals(new Feedback.Transfer(FILE, Feedback.Transfer.DELTA, "test-xor", sha256(V1), d.length, V2.length, null), f.transfer());
        assertTrue(notes.isEmpty(), notes.toString());
    }

    @Test
    void aFullDiskWhileRebuildingIsRetriedWithTheSameDeltaNotGivenUp() throws Exception {
        byte[] d = delta(V1, V2);
        DeploymentBase.Delta o = offer("kws.onnx.1.mydelta", sha256(V1), d);
        // The kernel's always-full device: every write fails with ENOSPC, as on a full disk.
        PayloadFetcher full = new PayloadFetcher((href, part, size, p) -> downloader.download(URI.create(href), Map.of(), part, size, p),
                downloads, true, rebuild -> FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE));

        IOException e = assertThrows(IOException.class, () -> fetch(full, List.of(o), Map.of(sha256(V1), v1File)));
        assertFalse(e instanceof Downloader.DownloadException, e.toString());
        assertTrue(notes.isEmpty(), "the delta is not given up: " + notes);
        assertEquals(d.length, Files.size(downloads.resolve("41-kws.onnx.1.mydelta.part")), "the downloaded delta is kept");
        assertTrue(TransferState.read(downloads.resolve("41-" + FILE + PayloadFetcher.STATE_SUFFIX)).failed().isEmpty());
        requests.clear();

        PayloadFetcher.Fetched f = fetch(List.of(o));

        assertVerifiedV2(f);
        assertEquals(new Feedback.Transfer(FILE, Feedback.Transfer.DELTA, "test-xor", sha256(V1), d.length, V2.length, null), f.transfer());
        assertTrue(requests.isEmpty(), "the delta is applied again without downloading it: " + requests);
    }

    @Test
    void aFullDownloadTheServerRefusesIsPermanentAndLeavesNothing() throws Exception {
        served.remove("/" + FILE);
        Downloader.DownloadException e = assertThrows(Downloader.DownloadException.class, () -> fetch(List.of()));
        assertTrue(e.permanent());
        assertFalse(Files.exists(downloads.resolve("41-" + FILE + PayloadFetcher.STATE_SUFFIX)), "the action is refused: no state is kept");
    }

    @Test
    void aTransferStateSurvivesItsFile() throws Exception {
        Path file = dir.resolve("s.json");
        TransferState s = TransferState.NONE.givenUp("a.mydelta", 100, "delta from x failed (malformed)")
                .stalledOn("b.mydelta").stalledOn("b.mydelta")
                .choosing(new TransferState.Way(Feedback.Transfer.COMPRESSED, "planes", null, 50));
        s.write(file);
        assertEquals(s, TransferState.read(file));
        assertEquals(2, TransferState.read(file).stalls("b.mydelta"));
        assertEquals(new Feedback.Transfer(FILE, "compressed", "planes", null, 150, 1000, "delta from x failed (malformed)"),
                TransferState.read(file).transfer(FILE, 1000));
        Files.writeString(file, "{not json");
        assertEquals(TransferState.NONE, TransferState.read(file));
    }
}
