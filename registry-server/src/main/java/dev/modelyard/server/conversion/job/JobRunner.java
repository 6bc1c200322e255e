package dev.modelyard.server.conversion.job;

import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.artifact.VersionArtifacts;
import dev.modelyard.server.background.WorkDirectories;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.conversion.ConversionChain;
import dev.modelyard.server.conversion.ConversionException;
import dev.modelyard.server.conversion.ConvertingMachine;
import dev.modelyard.server.conversion.Conversions;
import dev.modelyard.server.conversion.EquivalenceCheck;
import dev.modelyard.server.conversion.SelfTestVectors;
import dev.modelyard.server.conversion.profile.ChainSpec;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.model.VersionPublished;
import dev.modelyard.server.inspection.UploadInspection;
import dev.modelyard.server.signing.ReleaseSigner;
import dev.modelyard.server.storage.BlobLedger;
import dev.modelyard.server.storage.BlobStore;
import dev.modelyard.server.storage.Digests;
import dev.modelyard.server.storage.StagedFile;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.ArtifactMetadata;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs one claimed job: copies the source out of the blob store into a work directory of its
 * own, runs the chain, stores the result's bytes, and then, in one transaction, adds the artifact
 * to the version, signs it and marks the job succeeded. A crash before that transaction leaves at
 * most an unreferenced blob (collected later) and a job whose lease runs out and is taken again.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    private static final long SEED = 42;

    /** Why a running job was told to stop. */
    public enum Stop { CANCELLED, TIMED_OUT, LEASE_LOST, SHUTDOWN }

    /**
     * How one attempt ended: the job succeeded, failed for good, was cancelled, timed out (and
     * failed), is queued again to retry a transient failure, was put back because this replica
     * stops, or its lease was lost to another worker.
     */
    public enum Outcome { SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, RETRY, RELEASED, LEASE_LOST }

    /** The job cannot succeed whatever is retried (a conflict found when adding the result). */
    static final class PermanentFailure extends RuntimeException {
        PermanentFailure(String message) {
            super(message, null, false, false);
        }
    }

    private final JobQueue queue;
    private final BlobStore store;
    private final BlobLedger ledger;
    private final UploadInspection inspection;
    private final ReleaseSigner signer;
    private final ModelyardConfig config;
    private final Clock clock;
    private final VersionArtifacts artifacts;
    /** {@code <data-dir>/conversion/<a UUID of this process>}: each job works in a directory of its own there. */
    private final WorkDirectories workDirectories;

    public JobRunner(JobQueue queue, BlobStore store, BlobLedger ledger, UploadInspection inspection,
                     ReleaseSigner signer, ModelyardConfig config, Clock clock, VersionArtifacts artifacts) {
        this.artifacts = artifacts;
        this.queue = queue;
        this.store = store;
        this.ledger = ledger;
        this.inspection = inspection;
        this.signer = signer;
        this.config = config;
        this.clock = clock;
        this.workDirectories = new WorkDirectories(config.dataDir().resolve("conversion"));
    }

    /** What a job needs to run, read once under its lease. */
    private record Work(long jobId, String profile, ChainSpec chain, String filename, UUID sourceId, String sourceSha256,
                        long sourceSize, String sourceFilename, Optional<SelfTestVectors> selfTest) {
    }

    Outcome run(JobQueue.Claim c, JobLog.Buffer log, Supplier<Stop> stop) {
        if (c.reclaimed()) {
            log.line("attempt " + c.attempt() + " of " + c.maxAttempts() + " by " + c.owner() + ": the lease of "
                    + c.previousOwner() + " expired (its replica stopped); taken over");
        } else {
            log.line("attempt " + c.attempt() + " of " + c.maxAttempts() + " started by " + c.owner());
        }
        if (c.cancelRequested()) {
            queue.cancelled(c);
            return Outcome.CANCELLED;
        }
        if (c.attempt() > c.maxAttempts()) {
            queue.fail(c, "gave up after " + c.maxAttempts() + " attempts: the replica running the last one stopped before it finished");
            return Outcome.FAILED;
        }
        Path dir = null;
        try {
            Optional<Work> work = QuarkusTransaction.requiringNew().call(() -> queue.held(c).map(this::work));
            if (work.isEmpty()) return Outcome.LEASE_LOST;
            dir = sandbox(work.get().jobId());
            return attempt(c, work.get(), dir, log);
        } catch (Exception e) {
            // Clear the interrupt before touching the database: an interrupted thread cannot use JDBC safely.
            Thread.interrupted();
            return settle(c, e, stop.get(), log);
        } finally {
            Thread.interrupted();
            deleteTree(dir);
        }
    }

    /** Converts and checks in {@code dir}, stores the result's bytes, then adds it in one transaction. */
    private Outcome attempt(JobQueue.Claim c, Work w, Path dir, JobLog.Buffer log) throws Exception {
        Path source = fetch(w, dir);
        long outputLimit = config.conversion().commandOutputLimit().asLongValue();
        List<ConversionChain.Step> steps = w.chain().steps().stream().map(s -> s.toStep(dir, log, outputLimit)).toList();
        ConversionChain.Result r = ConversionChain.run(source, steps, dir,
                new Conversions.Check(config.conversion().equivalenceSamples(), SEED, w.chain().tolerance().toCheck(), w.selfTest()),
                inspection.limits(), log);
        StagedFile staged = hash(r.output());
        ledger.store(staged);
        Optional<UUID> artifact = QuarkusTransaction.requiringNew().call(() -> commit(c, w, r, staged));
        artifact.ifPresentOrElse(id -> log.line("succeeded: artifact " + id + " (" + w.filename() + ", "
                        + staged.size() + " bytes, sha256 " + staged.sha256() + ")"),
                () -> log.line("cancelled: the result was not added"));
        return artifact.isPresent() ? Outcome.SUCCEEDED : Outcome.CANCELLED;
    }

    private Outcome settle(JobQueue.Claim c, Exception e, Stop stop, JobLog.Buffer log) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (stop != null) {
            switch (stop) {
                case LEASE_LOST -> {
                    log.line("stopped: the lease was lost; another worker holds the job");
                    return Outcome.LEASE_LOST;
                }
                case SHUTDOWN -> {
                    log.line("stopped: this replica is shutting down; the job is queued again");
                    queue.release(c);
                    return Outcome.RELEASED;
                }
                case CANCELLED -> {
                    log.line("cancelled while running");
                    queue.cancelled(c);
                    return Outcome.CANCELLED;
                }
                case TIMED_OUT -> {
                    String error = "timed out after " + c.timeoutSeconds() + " s";
                    log.line("failed: " + error);
                    queue.fail(c, error);
                    return Outcome.TIMED_OUT;
                }
            }
        }
        if (e instanceof ConversionException || e instanceof PermanentFailure) {
            log.line("failed: " + message);
            queue.fail(c, message);
            return Outcome.FAILED;
        } else if (e instanceof IOException || e instanceof UncheckedIOException) {
            String error = "storage: " + message;
            boolean retry = c.attempt() < c.maxAttempts();
            log.line("transient failure: " + error + (retry
                    ? "; retrying in " + queue.backoff(c.attempt()).toSeconds() + " s" : "; no attempts left"));
            queue.retryLater(c, error);
            return retry ? Outcome.RETRY : Outcome.FAILED;
        } else {
            LOG.errorf(e, "conversion job %d failed unexpectedly", c.jobId());
            log.line("failed: internal error: " + message);
            queue.fail(c, "internal error: " + message);
            return Outcome.FAILED;
        }
    }

    private Work work(ConversionJob j) {
        Artifact source = Artifact.findById(j.sourceArtifactId);
        String selfTest = j.version.selfTestDocument;
        return new Work(j.id, j.profileName, queue.chain(j), j.filename, source.id, source.sha256, source.size,
                source.filename, Optional.ofNullable(selfTest).map(SelfTestVectors::parse));
    }

    private Path sandbox(long jobId) throws IOException {
        return Files.createTempDirectory(workDirectories.own(), "job-" + jobId + "-").toAbsolutePath();
    }

    /**
     * Removes the work directories that crashed or stopped processes left behind; called before
     * this replica's workers start. Only provably dead ones: replicas share the data directory and
     * may all have one host name, and another's running jobs work in theirs.
     */
    void removeLeftovers() {
        try {
            int removed = workDirectories.removeDead();
            if (removed > 0) LOG.infof("removed the conversion work directories of %d stopped process(es)", removed);
        } catch (IOException e) {
            LOG.warnf("could not look for leftover conversion work directories: %s", e.getMessage());
        }
    }

    /** This replica runs no more jobs: its work directory is left to the next start's cleanup. */
    void releaseWorkDirectory() {
        workDirectories.release();
    }

    /** Copies the source into the work directory, so no step can touch the stored blob. */
    private Path fetch(Work w, Path dir) throws IOException {
        Path dst = dir.resolve("source.onnx");
        MessageDigest sha = Digests.sha256();
        try (InputStream in = new DigestInputStream(store.open(w.sourceSha256(), 0, w.sourceSize()), sha)) {
            Files.copy(in, dst);
        } catch (IOException e) {
            throw new IOException("could not read source artifact " + w.sourceId() + " from the blob store: " + e, e);
        }
        if (!Digests.hex(sha.digest()).equals(w.sourceSha256())) {
            throw new PermanentFailure("the stored bytes of source artifact " + w.sourceId() + " do not match its SHA-256");
        }
        return dst;
    }

    private static StagedFile hash(Path file) throws IOException {
        MessageDigest sha = Digests.sha256();
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            size = in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return new StagedFile(file, Digests.hex(sha.digest()), size);
    }

    /** Adds the result to the version, signs it and closes the job, atomically. Empty when cancelled. */
    private Optional<UUID> commit(JobQueue.Claim c, Work w, ConversionChain.Result r, StagedFile staged) {
        ConversionJob j = queue.held(c).orElseThrow(() -> new PermanentFailure("the lease was lost"));
        if (j.cancelRequested) {
            queue.markFinished(j, JobStatus.CANCELLED, "cancelled while running");
            return Optional.empty();
        }
        ModelVersion v = j.version;
        if (!v.status.isDeployable()) {
            throw new PermanentFailure("version " + v.version + " is " + v.status.wireName() + "; the result was not added");
        }
        TargetDescriptor target = resultTarget(w);
        Artifact a = new Artifact();
        a.version = v;
        a.filename = w.filename();
        a.sha256 = staged.sha256();
        a.size = staged.size();
        a.mediaType = "application/octet-stream";
        a.target(target);
        a.origin = Artifact.Origin.CONVERTED;
        a.optimized = w.chain().optimizedResult();
        a.sourceArtifactId = w.sourceId();
        a.converter = w.chain().converterNames();
        a.converterVersion = w.chain().converterVersions();
        a.converterParams = Map.of("steps", w.chain().steps().stream().map(queue::toMap).toList());
        a.metadata = metadata(w, r);
        a.createdAt = clock.instant();
        a.createdBy = j.createdBy;
        add(a);
        signer.signAdded(a.id, new VersionPublished(v.id, v.model.tenant, v.model.name, v.version, v.releaseCounter),
                new ArtifactMetadata.ArtifactFile(a.filename, a.sha256, a.size), target);
        queue.markFinished(j, JobStatus.SUCCEEDED, null);
        j.resultArtifactId = a.id;
        Map<String, Object> result = new LinkedHashMap<>(a.metadata);
        result.remove("onnx");
        j.result = result;
        return Optional.of(a.id);
    }

    /**
     * The result's target: a chain with a step that is not portable made code for this replica's
     * CPU, so the artifact names its architecture and features. A replica of another
     * architecture than the one the profile was checked on cannot help, whatever is retried.
     */
    private static TargetDescriptor resultTarget(Work w) {
        try {
            return w.chain().resultTarget(ConvertingMachine.local());
        } catch (IllegalArgumentException e) {
            throw new PermanentFailure(e.getMessage() + "; the result was not added");
        }
    }

    private static Map<String, Object> metadata(Work w, ConversionChain.Result r) {
        Map<String, Object> lineage = new LinkedHashMap<>();
        lineage.put("jobId", w.jobId());
        lineage.put("profile", w.profile());
        lineage.put("sourceArtifactId", w.sourceId().toString());
        lineage.put("sourceFilename", w.sourceFilename());
        lineage.put("sourceSha256", w.sourceSha256());
        lineage.put("steps", r.steps().stream().map(ConversionChain.StepResult::toMap).toList());
        lineage.put("totalMillis", r.totalMillis());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lineage", lineage);
        m.put("equivalence", r.equivalence().<Map<String, Object>>map(e -> {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("maxAbsError", e.maxAbsError());
            q.put("minCosine", e.minCosine());
            q.put("tolerance", Map.of("maxAbsError", e.tolerance().maxAbsError(), "minCosine", e.tolerance().minCosine()));
            q.put("inputs", Map.of("generated", e.samples(), "seed", e.seed(),
                    "selfTestCases", r.selfTest().map(EquivalenceCheck.SelfTestReport::cases).orElse(0)));
            r.selfTest().ifPresent(t -> q.put("selfTest", Map.of("cases", t.cases(), "maxErrorToExpected", t.maxErrorToExpected(),
                    "tolerance", t.tolerance())));
            return q;
        }).orElse(Map.of("skipped", "ONNX Runtime cannot run format " + r.outputFormat())));
        m.put("sizeRatio", r.sizeRatio());
        m.put("sessionLoadMillis", r.sessionLoadMillis());
        r.onnx().ifPresent(o -> m.put("onnx", o.toMap()));
        return m;
    }

    /** Adds the result; a target or file name the version has already fails the job for good (retrying cannot help). */
    private void add(Artifact a) {
        try {
            artifacts.add(a, VersionArtifacts.SameName.REFUSE);
        } catch (VersionArtifacts.TargetTaken e) {
            throw new PermanentFailure("version " + a.version.version + " already has an artifact for target " + describe(a.target())
                    + ": '" + e.existingFilename() + "'; the result was not added");
        } catch (DomainException e) {
            if (e.code() != ErrorCode.ALREADY_EXISTS) throw e;
            throw new PermanentFailure(e.getMessage() + "; the result was not added");
        }
    }

    static String describe(TargetDescriptor t) {
        StringBuilder b = new StringBuilder(t.format()).append('/').append(t.runtime());
        if (t.runtimeVersion() != null) b.append(' ').append(t.runtimeVersion());
        b.append('/').append(t.arch()).append('/').append(t.accelerator()).append('/').append(t.precision());
        if (t.os() != null) b.append('/').append(t.os());
        if (t.needsCpuFeatures()) b.append('/').append(String.join("+", t.cpuFeatures()));
        return b.toString();
    }

    private static void deleteTree(Path dir) {
        WorkDirectories.deleteTree(dir);
    }
}
