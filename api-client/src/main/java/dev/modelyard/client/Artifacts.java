package dev.modelyard.client;

import dev.modelyard.wire.TargetDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Artifacts of a version: streamed uploads (one request, or resumable in chunks), listing and
 * streamed downloads. Uploads always send the SHA-256 the caller expects, so a corrupted transfer
 * is refused by the server ({@code 422 digest-mismatch}) instead of stored.
 */
public final class Artifacts extends Area {

    /** The header carrying a publisher's detached signature of the artifact. */
    public static final String SIGNATURE_HEADER = "Modelyard-Signature";
    static final String UPLOAD_OFFSET = "Upload-Offset";
    static final String TUS_CONTENT_TYPE = "application/offset+octet-stream";
    /** How often a resumable upload picks up after a broken connection before giving up. */
    static final int RESUME_ATTEMPTS = 5;

    public record Lineage(UUID sourceArtifactId, String converter, String converterVersion, Map<String, Object> parameters) {
    }

    /**
     * @param origin    uploaded or converted
     * @param optimized made by a conversion that optimizes for speed (devices get it before an
     *                  unoptimized file of the same target and precision)
     */
    public record Artifact(UUID id, String model, String version, String filename, String sha256, long size,
                           String mediaType, TargetDescriptor target, String origin, boolean optimized, Lineage lineage,
                           Map<String, Object> metadata, Instant createdAt, String createdBy, String contentUrl,
                           String signedMetadataUrl) {
    }

    /** An open resumable upload; {@code url} is where its chunks go. */
    public record Upload(UUID id, String model, String version, String filename, TargetDescriptor target, long offset,
                         Instant createdAt, Instant expiresAt, String url) {
    }

    /**
     * Where an open upload stands.
     *
     * @param appending true while a request is still appending (e.g. one whose connection broke and
     *                  that the server has not noticed yet): a client resuming waits for false
     */
    public record UploadState(long offset, boolean appending, Instant expiresAt) {
    }

    /**
     * An artifact's content from {@code start}: a ranged answer (206) starts where asked, a whole
     * one (200: the server ignored the range, or the content changed) at 0.
     *
     * @param total the content's full size, or -1 when the answer does not say
     */
    public record Content(InputStream body, long start, long total) implements java.io.Closeable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** Filters of the artifact list; null means no filter. */
    public record Filter(String format, String runtime, String arch, String accelerator, String precision, String origin,
                         Integer page, Integer size) {
        public static Filter all() {
            return new Filter(null, null, null, null, null, null, null, null);
        }
    }

    Artifacts(Transport t) {
        super(t);
    }

    /**
     * Only the fields given; the server fills the rest (runtime from the format, any architecture,
     * cpu, fp32) exactly as for a hand-written request.
     */
    public static TargetDescriptor target(String format) {
        return new TargetDescriptor(format, null, null, null, null, null, null, null);
    }

    /** Uploads a file in one streamed request; its SHA-256 is computed first and sent along. */
    public Artifact put(String model, String version, String filename, Path file, TargetDescriptor target) {
        return put(model, version, filename, target, opener(file), size(file), sha256(file), null);
    }

    /**
     * Uploads {@code length} bytes in one streamed request.
     *
     * @param data      opened once per attempt (the HTTP client may need to replay on a redirect)
     * @param sha256Hex the digest the bytes must have, or null to let the server take them as they come
     * @param signature a publisher signature for {@value #SIGNATURE_HEADER}, or null
     */
    public Artifact put(String model, String version, String filename, TargetDescriptor target,
                        Supplier<InputStream> data, long length, String sha256Hex, String signature) {
        Query path = targetParams(Query.path("/api/v1/models/{}/versions/{}/artifacts/{}", model, version, filename), target);
        List<String> headers = new ArrayList<>();
        if (sha256Hex != null) headers.addAll(List.of("Content-Digest", contentDigest(sha256Hex)));
        if (signature != null) headers.addAll(List.of(SIGNATURE_HEADER, signature));
        return t.stream("PUT", path, "application/octet-stream", data, length, headers, Artifact.class);
    }

    public Upload openUpload(String model, String version, String filename, TargetDescriptor target) {
        Query path = targetParams(Query.path("/api/v1/models/{}/versions/{}/uploads", model, version)
                .param("filename", filename), target);
        return t.call("POST", path, null, Upload.class);
    }

    /** How many bytes of the upload the server holds (read as the upload's JSON, so a refusal carries its code). */
    public long uploadOffset(Upload upload) {
        return t.get(upload.url(), Upload.class).offset();
    }

    /** The upload's offset and whether a request is still appending to it. */
    public UploadState uploadState(Upload upload) {
        return t.get(upload.url(), UploadState.class);
    }

    /** Appends {@code length} bytes at {@code offset}; returns the new offset. */
    public long append(Upload upload, long offset, Supplier<InputStream> data, long length) {
        HttpRequest request = t.request(upload.url()).header("Content-Type", TUS_CONTENT_TYPE)
                .header(UPLOAD_OFFSET, Long.toString(offset))
                .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(data), length))
                .build();
        return offset(t.headers(request));
    }

    /** Checks the whole upload against {@code sha256Hex} and turns it into the version's artifact. */
    public Artifact finishUpload(Upload upload, String sha256Hex, String signature) {
        HttpRequest.Builder b = t.request(upload.url() + "?digest=sha256:" + sha256Hex);
        if (signature != null) b.header(SIGNATURE_HEADER, signature);
        HttpResponse<byte[]> r = t.send(b.PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        return t.decode(r, Artifact.class);
    }

    public void cancelUpload(Upload upload) {
        t.delete(upload.url());
    }

    /**
     * Uploads a file in chunks of {@code chunkBytes}. A chunk whose connection breaks is not lost
     * work: the server's offset says where to pick up, up to {@value #RESUME_ATTEMPTS} times in a row.
     */
    public Artifact putResumable(String model, String version, String filename, Path file, TargetDescriptor target,
                                 long chunkBytes) {
        if (chunkBytes < 1) throw new IllegalArgumentException("chunkBytes: must be positive");
        String sha256 = sha256(file);
        long size = size(file);
        Upload upload = openUpload(model, version, filename, target);
        long offset = 0;
        int failures = 0;
        while (offset < size) {
            long from = offset;
            long length = Math.min(chunkBytes, size - from);
            try {
                offset = append(upload, from, () -> slice(file, from, length), length);
                failures = 0;
            } catch (UncheckedIOException broken) {
                if (++failures >= RESUME_ATTEMPTS) throw broken;
                offset = uploadOffset(upload);
            }
        }
        return finishUpload(upload, sha256, null);
    }

    public Artifact get(String model, String version, String artifact) {
        return t.get(Query.path("/api/v1/models/{}/versions/{}/artifacts/{}", model, version, artifact), Artifact.class);
    }

    public Page<Artifact> list(String model, String version, Filter f) {
        return t.page(Query.path("/api/v1/models/{}/versions/{}/artifacts", model, version)
                .param("format", f.format()).param("runtime", f.runtime()).param("arch", f.arch())
                .param("accelerator", f.accelerator()).param("precision", f.precision()).param("origin", f.origin())
                .page(f.page(), f.size()), Artifact.class);
    }

    public void delete(String model, String version, String artifact) {
        t.delete(Query.path("/api/v1/models/{}/versions/{}/artifacts/{}", model, version, artifact));
    }

    /** Opens the artifact's content as a stream; the caller closes it. */
    public InputStream open(String model, String version, String artifact) {
        HttpRequest request = t.request(Query.path("/api/v1/models/{}/versions/{}/artifacts/{}/content", model, version, artifact))
                .header("Accept", "application/octet-stream").GET().build();
        return t.open(request).body();
    }

    /**
     * Opens the content from byte {@code from} on, if it is still the content with {@code sha256Hex}
     * ({@code If-Range}); otherwise the server sends it whole, which {@link Content#start()} says.
     */
    public Content openFrom(String model, String version, String artifact, long from, String sha256Hex) {
        HttpRequest.Builder b = t.request(Query.path("/api/v1/models/{}/versions/{}/artifacts/{}/content", model, version, artifact))
                .header("Accept", "application/octet-stream");
        if (from > 0) {
            b.header("Range", "bytes=" + from + "-");
            if (sha256Hex != null) b.header("If-Range", "\"" + sha256Hex + "\"");
        }
        HttpResponse<InputStream> r = t.open(b.GET().build());
        long total = r.headers().firstValue("Content-Range").map(v -> v.substring(v.lastIndexOf('/') + 1))
                .filter(v -> v.matches("[0-9]+")).map(Long::parseLong)
                .orElseGet(() -> r.headers().firstValueAsLong("Content-Length").orElse(-1));
        return new Content(r.body(), r.statusCode() == 206 ? from : 0, total);
    }

    /** Streams the artifact's content into {@code out}; returns the number of bytes. */
    public long download(String model, String version, String artifact, OutputStream out) {
        try (InputStream in = open(model, version, artifact)) {
            return in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The signed metadata document exactly as the server serves it (its bytes are what the signature covers). */
    public String signedMetadata(String model, String version, String artifact) {
        return t.text(Query.path("/api/v1/models/{}/versions/{}/artifacts/{}/signed-metadata", model, version, artifact));
    }

    /** {@code sha-256=:<base64>:} (RFC 9530) of a hex SHA-256. */
    static String contentDigest(String sha256Hex) {
        return "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex)) + ":";
    }

    /** The hex SHA-256 of a file, read as a stream. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static Query targetParams(Query q, TargetDescriptor target) {
        if (target == null) return q;
        return q.param("format", target.format()).param("runtime", target.runtime())
                .param("runtimeVersion", target.runtimeVersion()).param("arch", target.arch())
                .param("accelerator", target.accelerator()).param("precision", target.precision())
                .param("minMemoryMb", target.minMemoryMb()).param("os", target.os())
                .param("cpuFeatures", target.cpuFeatures().isEmpty() ? null : String.join(",", target.cpuFeatures()));
    }

    private static long offset(java.net.http.HttpHeaders headers) {
        return headers.firstValueAsLong(UPLOAD_OFFSET)
                .orElseThrow(() -> new UncheckedIOException(new IOException("the server's answer has no " + UPLOAD_OFFSET)));
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Supplier<InputStream> opener(Path file) {
        return () -> {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static InputStream slice(Path file, long from, long length) {
        try {
            InputStream in = Files.newInputStream(file);
            in.skipNBytes(from);
            return new java.io.BufferedInputStream(in) {
                private long left = length;

                @Override
                public synchronized int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) return -1;
                    int n = super.read(b, off, (int) Math.min(len, left));
                    if (n > 0) left -= n;
                    return n;
                }

                @Override
                public synchronized int read() throws IOException {
                    if (left <= 0) return -1;
                    int c = super.read();
                    if (c >= 0) left--;
                    return c;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
