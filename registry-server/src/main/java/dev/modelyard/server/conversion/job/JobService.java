package dev.modelyard.server.conversion.job;

import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.artifact.VersionArtifacts;
import dev.modelyard.server.conversion.ConvertingMachine;
import dev.modelyard.server.conversion.job.JobApi.ConversionRequest;
import dev.modelyard.server.conversion.job.JobApi.JobView;
import dev.modelyard.server.conversion.job.JobApi.LogLine;
import dev.modelyard.server.conversion.job.JobApi.Requested;
import dev.modelyard.server.conversion.profile.ChainSpec;
import dev.modelyard.server.conversion.profile.ProfileService;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Names;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.model.ModelLookup;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.model.VersionPublished;
import dev.modelyard.wire.TargetDescriptor;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Conversion requests and the job API. The source rule: a version is converted from its
 * <em>uploaded</em> artifact of format onnx and precision fp32, preferring one built for any
 * architecture and any OS, then the oldest; a request may name another ONNX artifact instead.
 */
@ApplicationScoped
public class JobService {

    private static final Logger LOG = Logger.getLogger(JobService.class);
    private static final int MAX_LOG_PAGE = 5000;
    static final String PUBLICATION = "publication";

    private final ModelLookup models;
    private final ProfileService profiles;
    private final JobQueue queue;
    private final JobLog log;
    private final JobWorkers workers;
    private final EntityManager em;
    private final Clock clock;
    private final VersionArtifacts artifacts;

    public JobService(ModelLookup models, ProfileService profiles, JobQueue queue, JobLog log, JobWorkers workers,
                      EntityManager em, Clock clock, VersionArtifacts artifacts) {
        this.artifacts = artifacts;
        this.models = models;
        this.profiles = profiles;
        this.queue = queue;
        this.log = log;
        this.workers = workers;
        this.em = em;
        this.clock = clock;
    }

    /**
     * Runs in the publishing transaction, so a version is never published without its jobs.
     * Profiles whose target the version already has (the publisher uploaded it) are skipped.
     */
    void onPublished(@Observes VersionPublished published) {
        List<ProfileService.Profile> enabled = profiles.enabled();
        if (enabled.isEmpty()) return;
        ModelVersion v = ModelVersion.findById(published.versionId());
        Optional<Artifact> source = sourceOf(v);
        if (source.isEmpty()) {
            LOG.infof("%s %s: no uploaded ONNX fp32 artifact, nothing to convert", published.model(), published.version());
            return;
        }
        for (ProfileService.Profile p : enabled) {
            Optional<Artifact> taken = artifacts.forTarget(v, resultTarget(p.chain()), p.chain().optimizedResult());
            if (taken.isPresent()) {
                LOG.infof("%s %s: profile %s skipped, the version already has '%s' for its target",
                        published.model(), published.version(), p.name(), taken.get().filename);
                continue;
            }
            queue.enqueue(v, source.get(), p.id(), p.name(), p.chain(), filename(source.get(), p.name(), p.chain()), PUBLICATION);
        }
    }

    void afterPublished(@Observes(during = TransactionPhase.AFTER_SUCCESS) VersionPublished published) {
        workers.wake();
    }

    /** Enqueues the requested conversions, or finds the identical ones requested before. */
    @Transactional
    public Requested request(String model, String version, ConversionRequest body, boolean admin, String by) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required");
        ModelVersion v = models.resolve(models.model(model), version);
        if (!v.status.isDeployable()) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DEPLOYABLE, "version " + v.version + " is " + v.status.wireName()
                    + "; only published or deprecated versions are converted (publishing converts by every enabled profile)");
        }
        Artifact source = body.source() != null ? namedSource(v, body.source()) : sourceOf(v).orElseThrow(() ->
                DomainException.of(ErrorCode.NOTHING_TO_CONVERT, "version " + v.version + " has no uploaded ONNX fp32 artifact to convert; name one with 'source'"));
        List<Wanted> wanted = wanted(body, admin);
        int created = 0;
        List<JobView> jobs = new ArrayList<>();
        for (Wanted w : wanted) {
            Optional<ConversionJob> existing = queue.existing(v, source, w.chain());
            if (existing.isEmpty()) {
                TargetDescriptor result = resultTarget(w.chain());
                artifacts.forTarget(v, result, w.chain().optimizedResult()).ifPresent(a -> {
                    throw DomainException.of(ErrorCode.TARGET_TAKEN, "version " + v.version + " already has an artifact for target "
                            + JobRunner.describe(result) + ": '" + a.filename + "'");
                });
            }
            JobQueue.Enqueued e = queue.enqueue(v, source, w.profileId(), w.name(), w.chain(), filename(source, w.name(), w.chain()), by);
            if (e.created()) created++;
            jobs.add(view(e.job()));
        }
        return new Requested(created, jobs);
    }

    private record Wanted(Long profileId, String name, ChainSpec chain) {
    }

    /**
     * The target the result will have when made here (a step that is not portable makes it for
     * this CPU); the chain's own target when this machine cannot make it, which the job then says.
     */
    private static TargetDescriptor resultTarget(ChainSpec chain) {
        try {
            return chain.resultTarget(ConvertingMachine.local());
        } catch (IllegalArgumentException e) {
            return chain.target();
        }
    }

    private List<Wanted> wanted(ConversionRequest body, boolean admin) {
        if (body.adHoc()) {
            if (body.profiles() != null && !body.profiles().isEmpty()) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, "profiles", "profiles: give either profiles or an ad-hoc chain (steps), not both");
            }
            Names.require("name", body.name());
            return List.of(new Wanted(null, body.name(), profiles.normalize(body.chain(), admin)));
        }
        if (body.profiles() == null || body.profiles().isEmpty()) {
            List<ProfileService.Profile> all = profiles.enabled();
            if (all.isEmpty()) throw DomainException.of(ErrorCode.NOTHING_TO_CONVERT, "there is no enabled conversion profile");
            return all.stream().map(p -> new Wanted(p.id(), p.name(), p.chain())).toList();
        }
        return body.profiles().stream().distinct().map(profiles::requireEnabled)
                .map(p -> new Wanted(p.id(), p.name(), p.chain())).toList();
    }

    @Transactional
    public Page<JobView> list(String model, String version, String status, String profile, io.quarkus.panache.common.Page page) {
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (model != null) {
            q.append(" and version.model = :model");
            params.put("model", models.model(model));
            if (version != null) {
                q.append(" and version = :version");
                params.put("version", models.resolve(models.model(model), version));
            }
        } else if (version != null) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "version", "version: filter by model too");
        }
        if (status != null) {
            try {
                params.put("status", JobStatus.parse(status));
            } catch (IllegalArgumentException e) {
                throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "status", e.getMessage(),
                        java.util.Arrays.stream(JobStatus.values()).map(JobStatus::wireName).toList());
            }
            q.append(" and status = :status");
        }
        if (profile != null) {
            q.append(" and profileName = :profile");
            params.put("profile", profile);
        }
        PanacheQuery<ConversionJob> query = ConversionJob.find(q + " order by id desc", params).page(page);
        return new Page<>(query.list().stream().map(this::view).toList(), page.index, page.size, query.count());
    }

    @Transactional
    public JobView get(long id) {
        return view(require(id));
    }

    /** Log lines after {@code after} (an id from a previous page), oldest first. */
    @Transactional
    public List<LogLine> log(long id, long after, int limit) {
        require(id);
        if (limit < 1 || limit > MAX_LOG_PAGE) throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "limit", "limit: must be between 1 and " + MAX_LOG_PAGE);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT id, at, line FROM conversion_job_log WHERE job_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3""")
                .setParameter(1, id).setParameter(2, after).setParameter(3, limit).getResultList();
        return rows.stream().map(r -> new LogLine(((Number) r[0]).longValue(), toInstant(r[1]), (String) r[2])).toList();
    }

    /**
     * A queued job is cancelled at once; a running one is marked and stopped (its process killed)
     * by the replica running it, and ends cancelled.
     */
    @Transactional
    public JobView cancel(long id, String by) {
        ConversionJob j = lock(id);
        switch (j.status) {
            case QUEUED -> {
                queue.markFinished(j, JobStatus.CANCELLED, "cancelled before it ran");
                log.append(id, "cancelled by " + by + " while queued");
            }
            case RUNNING -> {
                if (!j.cancelRequested) log.append(id, "cancel requested by " + by);
                j.cancelRequested = true;
                j.updatedAt = clock.instant();
            }
            case CANCELLED -> { }
            default -> throw DomainException.of(ErrorCode.ALREADY_FINISHED, "job " + id + " already " + j.status.wireName());
        }
        return view(j);
    }

    /** Queues a failed or cancelled job again, with all its attempts. */
    @Transactional
    public JobView retry(long id, String by) {
        ConversionJob j = lock(id);
        if (j.status != JobStatus.FAILED && j.status != JobStatus.CANCELLED) {
            throw DomainException.of(ErrorCode.CONFLICT, "job " + id + " is " + j.status.wireName() + "; only failed or cancelled jobs can be retried");
        }
        if (!j.version.status.isDeployable()) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DEPLOYABLE, "version " + j.version.version + " is " + j.version.status.wireName());
        }
        j.status = JobStatus.QUEUED;
        j.attempts = 0;
        j.cancelRequested = false;
        j.error = null;
        j.finishedAt = null;
        j.nextRunAt = clock.instant();
        j.updatedAt = j.nextRunAt;
        log.append(id, "queued again by " + by);
        return view(j);
    }

    /** The source rule (see the class comment). */
    static Optional<Artifact> sourceOf(ModelVersion v) {
        return Artifact.<Artifact>find("""
                        version = ?1 and origin = ?2 and format = 'onnx' and precision = 'fp32'
                        order by case when arch = 'any' then 0 else 1 end, case when os is null then 0 else 1 end,
                                 createdAt, filename""", v, Artifact.Origin.UPLOADED)
                .firstResultOptional();
    }

    private static Artifact namedSource(ModelVersion v, String idOrFilename) {
        Optional<Artifact> a = Artifact.find("version = ?1 and filename = ?2", v, idOrFilename).firstResultOptional();
        if (a.isEmpty() && idOrFilename.length() == 36) {
            try {
                a = Artifact.find("version = ?1 and id = ?2", v, UUID.fromString(idOrFilename)).firstResultOptional();
            } catch (IllegalArgumentException ignored) {
                // not an id
            }
        }
        Artifact found = a.orElseThrow(() -> DomainException.of(ErrorCode.ARTIFACT_NOT_FOUND, "version " + v.version + " has no artifact '" + idOrFilename + "'"));
        if (!"onnx".equals(found.format)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "source", "source: '" + found.filename + "' is " + found.format + "; conversions start from ONNX");
        }
        return found;
    }

    /** {@code <stem>.<profile>.<format>}: model.onnx by profile aarch64-cpu-int8 gives model.aarch64-cpu-int8.onnx. */
    static String filename(Artifact source, String name, ChainSpec chain) {
        String f = source.filename;
        int dot = f.lastIndexOf('.');
        String stem = dot > 0 ? f.substring(0, dot) : f;
        String suffix = "." + name + "." + chain.target().format();
        if (stem.length() + suffix.length() > 128) stem = stem.substring(0, Math.max(1, 128 - suffix.length()));
        return stem + suffix;
    }

    private ConversionJob lock(long id) {
        ConversionJob j = em.find(ConversionJob.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (j == null) throw DomainException.of(ErrorCode.JOB_NOT_FOUND, "no conversion job " + id);
        return j;
    }

    private static ConversionJob require(long id) {
        ConversionJob j = ConversionJob.findById(id);
        if (j == null) throw DomainException.of(ErrorCode.JOB_NOT_FOUND, "no conversion job " + id);
        return j;
    }

    private JobView view(ConversionJob j) {
        ChainSpec c = queue.chain(j);
        String model = j.version.model.name;
        String resultUrl = j.resultArtifactId == null ? null
                : "/api/v1/models/" + model + "/versions/" + j.version.version + "/artifacts/" + j.resultArtifactId;
        return new JobView(j.id, model, j.version.version, j.profileName, j.status.wireName(), j.attempts, j.maxAttempts,
                j.status == JobStatus.QUEUED ? j.nextRunAt : null, j.cancelRequested, j.filename, j.sourceArtifactId,
                j.resultArtifactId, resultUrl, j.error, c.steps(), c.target(), c.tolerance(), j.timeoutSeconds,
                j.idempotencyKey, j.result, j.createdAt, j.startedAt, j.finishedAt, j.updatedAt, j.createdBy);
    }

    private static java.time.Instant toInstant(Object o) {
        if (o instanceof java.time.Instant i) return i;
        if (o instanceof java.time.OffsetDateTime t) return t.toInstant();
        if (o instanceof java.sql.Timestamp t) return t.toInstant();
        throw new IllegalStateException("unexpected timestamp type " + o.getClass());
    }
}
