package dev.modelyard.server.artifact;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Bytes of artifacts moved through this replica: {@code modelyard_artifact_download_bytes_total}
 * by API and kind (the full file, a compressed full file or a delta, which only devices download)
 * and {@code modelyard_artifact_upload_bytes_total} by upload method. Downloads count the
 * body a response starts to send (a range counts its length; a client that hangs up early counts
 * in full; HEAD and 304 count nothing). Uploads count the bytes a request delivered whole into
 * staging (an interrupted request counts nothing), whether or not the upload is then accepted.
 */
@ApplicationScoped
@Startup
public class TransferMetrics {

    /** Which API served a download. */
    public enum DownloadApi { DDI, MANAGEMENT }

    /**
     * What a download sent: the artifact's own bytes, a compressed full file (a delta without a
     * base) or a delta from a file the device holds. Summed against the full bytes they stand for,
     * they tell how much delta updates save.
     */
    public enum DownloadKind { FULL, COMPRESSED, DELTA }

    /** How an upload arrived: a plain request body, a multipart form, or a resumable session's appends. */
    public enum UploadMethod { DIRECT, MULTIPART, RESUMABLE }

    private final Map<DownloadApi, Map<DownloadKind, Counter>> downloaded = new EnumMap<>(DownloadApi.class);
    private final Map<UploadMethod, Counter> uploaded = new EnumMap<>(UploadMethod.class);
    private final Map<DownloadApi, Counter> redirected = new EnumMap<>(DownloadApi.class);

    public TransferMetrics(MeterRegistry registry) {
        for (DownloadApi api : DownloadApi.values()) {
            Map<DownloadKind, Counter> byKind = new EnumMap<>(DownloadKind.class);
            for (DownloadKind kind : DownloadKind.values()) {
                // Only devices are offered deltas: the management API's series would stay zero forever.
                if (api == DownloadApi.MANAGEMENT && kind != DownloadKind.FULL) continue;
                byKind.put(kind, Counter.builder("modelyard.artifact.download").baseUnit("bytes")
                        .description("Artifact bytes sent in download responses, by API (ddi or management) and kind "
                                + "(full, compressed or delta)")
                        .tag("api", label(api)).tag("kind", label(kind)).register(registry));
            }
            downloaded.put(api, byKind);
            redirected.put(api, Counter.builder("modelyard.artifact.download.redirects")
                    .description("Downloads answered with a redirect to a presigned S3 URL (the bytes bypass the server), by API")
                    .tag("api", label(api)).register(registry));
        }
        for (UploadMethod m : UploadMethod.values()) {
            uploaded.put(m, Counter.builder("modelyard.artifact.upload").baseUnit("bytes")
                    .description("Artifact bytes received, by method (direct, multipart or resumable)")
                    .tag("method", label(m)).register(registry));
        }
    }

    void downloaded(DownloadApi api, DownloadKind kind, long bytes) {
        Counter c = downloaded.get(api).get(kind);
        if (c == null) throw new IllegalArgumentException("the " + label(api) + " API serves no " + label(kind) + " downloads");
        c.increment(bytes);
    }

    void redirected(DownloadApi api, DownloadKind kind) {
        redirected.get(api).increment();
    }

    public void uploaded(UploadMethod method, long bytes) {
        if (bytes > 0) uploaded.get(method).increment(bytes);
    }

    private static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
