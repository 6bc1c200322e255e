package dev.modelyard.server.delta;

import dev.modelyard.delta.DeltaApplier;
import dev.modelyard.delta.DeltaFormatException;
import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.background.WorkDirectories;
import dev.modelyard.server.delta.encode.DeltaEncoding;
import dev.modelyard.server.storage.BlobLedger;
import dev.modelyard.server.storage.BlobStore;
import dev.modelyard.server.storage.Digests;
import dev.modelyard.server.storage.StagedFile;
import dev.modelyard.server.storage.StagingArea;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Builds one claimed delta: the base and target bytes as local files (the filesystem store's own
 * files, or copies out of S3 into a work directory), {@link DeltaEncoding#encode} into that
 * directory, then the decision. READY: the file is stored through the blob ledger and then, in one
 * transaction guarded by the lease, the row points at it (the all-or-nothing rule of uploads: a
 * crash in between leaves an unreferenced blob the collector removes). USELESS: only its size and
 * method are kept. The work directory is removed whatever happens.
 */
@ApplicationScoped
public class DeltaBuilder {

    private static final Logger LOG = Logger.getLogger(DeltaBuilder.class);

    /** How one attempt ended. */
    public enum Outcome { READY, USELESS, FAILED, RETRY, LEASE_LOST }

    /** Another attempt cannot help: the base is not this tenant's, the stored bytes are corrupt. */
    static final class PermanentFailure extends RuntimeException {
        PermanentFailure(String message) {
            super(message, null, false, false);
        }
    }

    private final DeltaQueue queue;
    private final BlobStore store;
    private final BlobLedger ledger;
    private final DeltaConfig config;
    private final EntityManager em;
    private final Clock clock;
    private final WorkDirectories workDirectories;

    public DeltaBuilder(DeltaQueue queue, BlobStore store, BlobLedger ledger, StagingArea staging, DeltaConfig config,
                        EntityManager em, Clock clock) {
        this.queue = queue;
        this.store = store;
        this.ledger = ledger;
        this.config = config;
        this.em = em;
        this.clock = clock;
        this.workDirectories = new WorkDirectories(staging.dir().resolve("delta"));
    }

    /** What a build needs, read once under its lease. */
    private record Work(UUID id, String tenant, UUID targetArtifactId, String targetSha256, long targetSize, String format, String baseSha256, long baseSize) {
    }

    /** Builds as the claim's tenant (the caller switched to it). */
    Outcome build(DeltaQueue.Claim c) {
        if (c.attempt() > config.maxAttempts()) {
            return failed(c, "gave up after " + config.maxAttempts() + " attempts: the replica running the last one stopped before it finished");
        }
        Path dir = null;
        try {
            Optional<Work> work = QuarkusTransaction.requiringNew().call(() -> queue.held(c).map(this::work));
            if (work.isEmpty()) return Outcome.LEASE_LOST;
            dir = workDirectory(c.id());
            return attempt(c, work.get(), dir);
        } catch (PermanentFailure e) {
            return failed(c, e.getMessage());
        } catch (DeltaFormatException e) {
            // The encoder refused the files themselves (a corrupt model, a bound exceeded): the same again would fail.
            return failed(c, "the delta could not be made: " + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            String error = "storage: " + e.getMessage();
            return queue.retryLater(c, error) ? Outcome.RETRY : Outcome.FAILED;
        } catch (RuntimeException e) {
            LOG.errorf(e, "delta %s: the build failed unexpectedly", c.id());
            return failed(c, "internal error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } finally {
            deleteTree(dir);
        }
    }

    private Outcome failed(DeltaQueue.Claim c, String error) {
        if (!queue.fail(c, error)) return Outcome.LEASE_LOST;
        LOG.warnf("delta %s failed: %s", c.id(), error);
        return Outcome.FAILED;
    }

    /**
     * The target and the base, checked: the base must be the file of an artifact of this tenant
     * (the ORM scopes the lookup), so a row can never make the builder read another tenant's bytes
     * by naming their digest.
     */
    private Work work(DeltaArtifact d) {
        Artifact target = Artifact.findById(d.targetArtifactId);
        if (target == null) throw new PermanentFailure("the target artifact " + d.targetArtifactId + " no longer exists");
        long baseSize = 0;
        if (d.baseSha256 != null) {
            Artifact base = Artifact.<Artifact>find("sha256", d.baseSha256).firstResult();
            if (base == null) {
                throw new PermanentFailure("the base " + d.baseSha256 + " is not the file of any artifact of this tenant");
            }
            baseSize = base.size;
        }
        return new Work(d.id, d.tenant, d.targetArtifactId, target.sha256, target.size, target.format, d.baseSha256, baseSize);
    }

    private Outcome attempt(DeltaQueue.Claim c, Work w, Path dir) throws IOException {
        Path target = local(w.targetSha256(), w.targetSize(), dir.resolve("target"), "target");
        Path base = w.baseSha256() == null ? null : local(w.baseSha256(), w.baseSize(), dir.resolve("base"), "base");
        Path out = dir.resolve("delta" + dev.modelyard.delta.DeltaFormat.FILE_SUFFIX);
        DeltaEncoding.Encoded e = DeltaEncoding.encode(new DeltaEncoding.Request(base, w.baseSha256(), target, w.targetSha256(),
                w.format(), config.level(), dir), out);
        long replaced = QuarkusTransaction.requiringNew().call(() -> replaced(w));
        boolean worthIt = e.size() <= config.maxRatio() * replaced;
        if (worthIt) {
            proveItRebuildsTheTarget(out, base, w);
            force(out);
            ledger.store(new StagedFile(out, e.sha256(), e.size()));
        }
        boolean held = queue.finish(c, d -> {
            d.status = worthIt ? DeltaStatus.READY : DeltaStatus.USELESS;
            d.method = e.method();
            d.size = e.size();
            d.blobSha256 = worthIt ? e.sha256() : null;
            d.buildMillis = e.millis();
            d.builtAt = clock.instant();
            d.error = worthIt ? null : "the delta has " + e.size() + " bytes, more than " + config.maxRatio()
                    + " of the " + replaced + " bytes it would replace";
        });
        if (!held) return Outcome.LEASE_LOST;
        return worthIt ? Outcome.READY : Outcome.USELESS;
    }

    /**
     * Applies the delta made, as a device would, before it is offered: an encoder's mistake must
     * cost a failed build here, never every device a wasted download and a fallback. One more
     * streaming read of the base and the delta, no file written.
     */
    private static void proveItRebuildsTheTarget(Path delta, Path base, Work w) throws IOException {
        DeltaApplier.Applied rebuilt;
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(delta), 1 << 16);
             FileChannel b = base == null ? null : FileChannel.open(base, StandardOpenOption.READ)) {
            rebuilt = DeltaApplier.apply(in, b, w.baseSha256(), OutputStream.nullOutputStream());
        } catch (DeltaFormatException e) {
            throw new PermanentFailure("the delta made does not rebuild the target (" + e.reason() + ": " + e.getMessage() + ")");
        }
        if (rebuilt.size() != w.targetSize() || !HexFormat.of().formatHex(rebuilt.sha256()).equals(w.targetSha256())) {
            throw new PermanentFailure("the delta made rebuilds " + rebuilt.size() + " bytes with SHA-256 "
                    + HexFormat.of().formatHex(rebuilt.sha256()) + ", not the target");
        }
    }

    /**
     * What the delta would replace on the wire: the compressed full file when one is ready (a
     * delta from a base competes with it), else the target itself.
     */
    private long replaced(Work w) {
        if (w.baseSha256() == null) return w.targetSize();
        @SuppressWarnings("unchecked")
        List<Number> full = em.createNativeQuery("""
                        SELECT size FROM artifact_delta
                        WHERE tenant = ?1 AND target_artifact_id = ?2 AND base_sha256 IS NULL AND status = 'READY'""")
                .setParameter(1, w.tenant()).setParameter(2, w.targetArtifactId()).getResultList();
        return full.isEmpty() ? w.targetSize() : Math.min(w.targetSize(), full.get(0).longValue());
    }

    /**
     * The blob as a local file: the filesystem store's own (read only), or a copy out of the store
     * whose digest is checked on the way.
     */
    private Path local(String sha256, long size, Path copy, String role) throws IOException {
        Optional<Path> own = store.localPath(sha256).filter(Files::isRegularFile);
        if (own.isPresent()) return own.get();
        MessageDigest sha = Digests.sha256();
        try (InputStream in = new DigestInputStream(store.open(sha256, 0, size), sha)) {
            Files.copy(in, copy);
        } catch (IOException e) {
            throw new IOException("the " + role + " blob " + sha256 + " cannot be read from the blob store: " + e.getMessage(), e);
        }
        if (!Digests.hex(sha.digest()).equals(sha256)) {
            throw new PermanentFailure("the stored bytes of the " + role + " blob " + sha256 + " do not match their SHA-256");
        }
        return copy;
    }

    /** The blob store renames the file into place: its bytes must be on disk first. */
    private static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Work directories live in the staging area (the blob store then moves a result instead of
     * copying it), under {@code delta/<process id>}: replicas may share the staging volume.
     */
    private Path workDirectory(UUID id) throws IOException {
        return Files.createTempDirectory(workDirectories.own(), "build-" + id + "-");
    }

    /** Removes the work directories that crashed or stopped processes left behind; called before the workers start. */
    void removeLeftovers() {
        try {
            int removed = workDirectories.removeDead();
            if (removed > 0) LOG.infof("removed the delta work directories of %d stopped process(es)", removed);
        } catch (IOException e) {
            LOG.warnf("could not look for leftover delta work directories: %s", e.getMessage());
        }
    }

    /** This process no longer builds: its work directory is left to the next start's cleanup. */
    void release() {
        workDirectories.release();
    }

    private static void deleteTree(Path dir) {
        WorkDirectories.deleteTree(dir);
    }
}
