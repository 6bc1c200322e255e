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
 * by API and {@code modelyard_artifact_upload_bytes_total} by upload method. Downloads count the
 * body a response starts to send (a range counts its length; a client that hangs up early counts
 * in full; HEAD and 304 count nothing). Uploads count the bytes a request delivered whole into
 * staging (an interrupted request counts nothing), whether or not the upload is then accepted.
 */
@ApplicationScoped
@Startup
public class TransferMetrics {

    /** Which API served a download. */
    public enum DownloadApi { DDI, MANAGEMENT }

    /** How an upload arrived: a plain request body, a multipart form, or a resumable session's appends. */
    public enum UploadMethod { DIRECT, MULTIPART, RESUMABLE }

    private final Map<DownloadApi, Counter> downloaded = new EnumMap<>(DownloadApi.class);
    private final Map<UploadMethod, Counter> uploaded = new EnumMap<>(UploadMethod.class);

    public TransferMetrics(MeterRegistry registry) {
        for (DownloadApi api : DownloadApi.values()) {
            downloaded.put(api, Counter.builder("modelyard.artifact.download").baseUnit("bytes")
                    .description("Artifact bytes sent in download responses, by API (ddi or management)")
                    .tag("api", label(api)).register(registry));
        }
        for (UploadMethod m : UploadMethod.values()) {
            uploaded.put(m, Counter.builder("modelyard.artifact.upload").baseUnit("bytes")
                    .description("Artifact bytes received, by method (direct, multipart or resumable)")
                    .tag("method", label(m)).register(registry));
        }
    }

    void downloaded(DownloadApi api, long bytes) {
        downloaded.get(api).increment(bytes);
    }

    public void uploaded(UploadMethod method, long bytes) {
        if (bytes > 0) uploaded.get(method).increment(bytes);
    }

    private static String label(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
