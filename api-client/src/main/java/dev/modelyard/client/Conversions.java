package dev.modelyard.client;

import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Conversion jobs: requesting them for a version, following and steering them. */
public final class Conversions extends Area {

    /**
     * Either {@code profiles} (by name) or an ad-hoc chain ({@code steps}, {@code target}, …).
     *
     * @param source the filename of the artifact to convert, or null for the version's ONNX file
     */
    public record Request(List<String> profiles, String name, List<Profiles.Step> steps, TargetDescriptor target,
                         Profiles.Tolerance tolerance, Integer timeoutSeconds, Integer maxAttempts, String source) {
        public static Request profiles(String... profiles) {
            return new Request(List.of(profiles), null, null, null, null, null, null, null);
        }
    }

    public record Job(long id, String model, String version, String profile, String status, int attempts,
                      int maxAttempts, Instant nextRunAt, boolean cancelRequested, String filename,
                      UUID sourceArtifactId, UUID resultArtifactId, String resultUrl, String error,
                      List<Profiles.Step> steps, TargetDescriptor target, Profiles.Tolerance tolerance,
                      int timeoutSeconds, String idempotencyKey, Map<String, Object> result, Instant createdAt,
                      Instant startedAt, Instant finishedAt, Instant updatedAt, String createdBy) {
    }

    /** @param created jobs created by this request; the others already existed for the same input */
    public record Requested(int created, List<Job> jobs) {
    }

    public record LogLine(long id, Instant at, String line) {
    }

    /** Filters of the job list; null means no filter. */
    public record Filter(String model, String version, String profile, String status, Integer page, Integer size) {
    }

    Conversions(Transport t) {
        super(t);
    }

    public Requested request(String model, String version, Request request) {
        return t.call("POST", Query.path("/api/v1/models/{}/versions/{}/conversions", model, version), request, Requested.class);
    }

    public Page<Job> jobs(Filter f) {
        return t.page(Query.path("/api/v1/conversion/jobs").param("model", f.model()).param("version", f.version())
                .param("profile", f.profile()).param("status", f.status()).page(f.page(), f.size()), Job.class);
    }

    public Job job(long id) {
        return t.get(Query.path("/api/v1/conversion/jobs/{}", id), Job.class);
    }

    /** @param after the last line id already read, or null from the start */
    public List<LogLine> log(long id, Long after, Integer limit) {
        return t.list(Query.path("/api/v1/conversion/jobs/{}/log", id).param("after", after).param("limit", limit), LogLine.class);
    }

    public Job cancel(long id) {
        return t.call("POST", Query.path("/api/v1/conversion/jobs/{}/cancel", id), null, Job.class);
    }

    public Job retry(long id) {
        return t.call("POST", Query.path("/api/v1/conversion/jobs/{}/retry", id), null, Job.class);
    }
}
