package dev.modelyard.server.artifact;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.http.ByteRange;
import dev.modelyard.server.storage.BlobStore;
import dev.modelyard.server.storage.Digests;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import org.jboss.resteasy.reactive.PathPart;

/**
 * Sends an artifact's bytes: single byte ranges (a-b, a-, -n), If-Range, If-None-Match → 304,
 * HEAD. Shared by the management API and the device (DDI) API. A range that cannot be satisfied
 * throws a 416 {@link dev.modelyard.server.http.ApiException} carrying {@code Content-Range}.
 * <p>
 * With {@code modelyard.storage.s3.presigned-downloads.enabled} and the S3 store, a GET is
 * answered with 307 to a presigned URL of the blob instead of the bytes. The caller has already
 * checked that the client may read this file: the redirect is the answer to an authorized
 * request. The client repeats its Range header at the bucket, which honours it; the digests it
 * checks (ETag, the DDI hashes) are those of the same bytes.
 */
@ApplicationScoped
public class ArtifactDownloads {

    private final BlobStore store;
    private final TransferMetrics metrics;
    private final ModelyardConfig.PresignedDownloads presigned;

    public ArtifactDownloads(BlobStore store, TransferMetrics metrics, ModelyardConfig config) {
        this.store = store;
        this.metrics = metrics;
        this.presigned = config.storage().s3().presignedDownloads();
    }

    /**
     * A stored file as a download: its blob's digest (which is also its ETag), size, the name it
     * is saved under and its media type.
     */
    public record Download(String sha256, long size, String filename, String mediaType) {
    }

    public Response serve(Artifact a, String rangeHeader, String ifRange, String ifNoneMatch, boolean withBody,
                          TransferMetrics.DownloadApi api) {
        return serve(new Download(a.sha256, a.size, a.filename, MediaType.APPLICATION_OCTET_STREAM), rangeHeader, ifRange,
                ifNoneMatch, withBody, api, TransferMetrics.DownloadKind.FULL);
    }

    /** Any stored file (an artifact, a delta) under the same rules; {@code kind} says how the metrics count it. */
    public Response serve(Download f, String rangeHeader, String ifRange, String ifNoneMatch, boolean withBody,
                          TransferMetrics.DownloadApi api, TransferMetrics.DownloadKind kind) {
        String etag = etag(f.sha256());
        if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
            return Response.notModified().header("ETag", etag).build();
        }
        if (withBody && presigned.enabled()) {
            Optional<URI> url = presignedUrl(f);
            if (url.isPresent()) {
                metrics.redirected(api, kind);
                // 307: the client repeats the same GET (and Range) at the bucket. Not cached: the URL expires.
                return Response.status(307).location(url.get()).header("ETag", etag)
                        .header("Cache-Control", "no-store").build();
            }
        }
        Optional<ByteRange> range = ifRange == null || ifRange.strip().equals(etag)
                ? ByteRange.parse(rangeHeader, f.size()) : Optional.empty();
        long offset = range.map(ByteRange::first).orElse(0L);
        long length = range.map(ByteRange::length).orElse(f.size());
        Response.ResponseBuilder b = Response.status(range.isPresent() ? 206 : 200)
                .type(f.mediaType())
                .header("ETag", etag)
                .header("Accept-Ranges", "bytes")
                .header("Repr-Digest", "sha-256=:" + Digests.hexToBase64(f.sha256()) + ":")
                .header("Content-Disposition", "attachment; filename=\"" + f.filename() + "\"")
                .header("Cache-Control", "private, max-age=31536000, immutable")
                .header("Content-Length", length);
        range.ifPresent(r -> b.header("Content-Range", r.contentRange(f.size())));
        if (!withBody) {
            return b.build();
        }
        Optional<java.nio.file.Path> local = store.localPath(f.sha256());
        Response response;
        if (local.isPresent()) {
            // Sent with sendfile by the HTTP layer: the bytes never pass through the heap.
            response = b.entity(new PathPart(local.get(), offset, length)).build();
        } else {
            try {
                response = b.entity(store.open(f.sha256(), offset, length)).build();
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + f.filename() + " (blob " + f.sha256() + ") from the blob store", e);
            }
        }
        metrics.downloaded(api, kind, length);
        return response;
    }

    private Optional<URI> presignedUrl(Download f) {
        try {
            return store.presignedGet(f.sha256(), presigned.ttl());
        } catch (IOException e) {
            throw new UncheckedIOException("could not sign a download URL for " + f.filename() + " (blob " + f.sha256() + ")", e);
        }
    }

    public static String etag(String sha256) {
        return "\"" + sha256 + "\"";
    }

    /** Whether an If-None-Match header matches {@code etag} (weak comparison, {@code *}). */
    public static boolean matches(String ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) return true;
        }
        return false;
    }
}
