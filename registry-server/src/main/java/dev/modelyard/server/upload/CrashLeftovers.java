package dev.modelyard.server.upload;

import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.storage.StagingArea;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Removes, when the server starts, what a crash of an earlier run left in this replica's staging
 * directory and in the upload sessions, instead of leaving it to the garbage collector's grace
 * period. Several replicas may share the database, and perhaps the staging directory, so it
 * removes only what cannot belong to a request that is running now, here or elsewhere:
 * <ul>
 *   <li>files, only when no other live process uses the directory: every process holds a shared
 *       lock on it for its whole life, and the cleanup runs under an exclusive one (see
 *       {@link StagingArea#join}), so a replica that shares the directory is never cleaned up
 *       after, restarted or not. Only files last written before this process started go (a
 *       request of this process writes after that): single uploads' files, form uploads' files,
 *       and data files of resumable uploads that have no session row. That cut-off compares the
 *       file system's clock with this machine's, but with no other process live it can concern
 *       only this process' own files, so a skewed network file system cannot make it remove a
 *       live file of another replica;</li>
 *   <li>session rows whose bytes this staging directory held (its id is on the row since the
 *       first append) but whose data file is gone: nobody can resume them. Rows of other staging
 *       directories belong to other replicas and are left alone; rows with no bytes yet hold
 *       nothing anywhere and live until they expire;</li>
 *   <li>expired sessions, as the periodic sweep removes them on any replica.</li>
 * </ul>
 * The periodic garbage collector still removes stale staging files after its grace period.
 */
@ApplicationScoped
public class CrashLeftovers {

    private static final Logger LOG = Logger.getLogger(CrashLeftovers.class);

    private final StagingArea staging;
    private final UploadService uploads;
    private final TenantContext tenants;
    private final EntityManager em;
    private final Path multipart;

    public CrashLeftovers(StagingArea staging, UploadService uploads, EntityManager em, TenantContext tenants,
                          @ConfigProperty(name = "quarkus.http.body.uploads-directory") String multipart) {
        this.staging = staging;
        this.tenants = tenants;
        this.uploads = uploads;
        this.em = em;
        this.multipart = Path.of(multipart);
    }

    void atStart(@Observes StartupEvent event) {
        // The JVM's own record, in milliseconds (ProcessHandle's start instant is derived from the
        // boot time in whole seconds and can be a second late or early).
        Instant processStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        try {
            Report r = removeLeftovers(processStart);
            if (r.files() + r.sessions() > 0) {
                LOG.infof("removed what an earlier run left: %d staging files, %d upload sessions whose data is gone",
                        r.files(), r.sessions());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not remove what an earlier run left in staging (%s); the garbage collector will", e.getMessage());
        }
        try {
            uploads.expireAbandoned();
        } catch (RuntimeException e) {
            LOG.warnf("could not remove expired upload sessions at start (%s); the periodic sweep will", e.getMessage());
        }
    }

    void atStop(@Observes ShutdownEvent event) {
        staging.release();
    }

    /** What one pass removed. */
    record Report(int files, int sessions) {
    }

    /**
     * Joins the staging directory's users and, if no other live process is one of them, removes
     * leftovers older than {@code before}; see the class comment for what counts.
     */
    Report removeLeftovers(Instant before) throws IOException {
        int[] removed = new int[2];
        // The staging area is shared by every tenant's uploads: one pass over all of them.
        boolean alone = staging.join(() -> {
            Set<UUID> known = tenants.acrossTenants(() -> {
                removed[1] = removeSessionsWithoutData();
                return new HashSet<>(QuarkusTransaction.requiringNew().call(() ->
                        em.createQuery("SELECT s.id FROM UploadSession s", UUID.class).getResultList()));
            });
            removed[0] = staging.removeLeftovers(before, known::contains, multipart);
        });
        if (!alone) {
            LOG.infof("another process uses the staging directory %s: leaving its files to the garbage collector", staging.dir());
        }
        return new Report(removed[0], removed[1]);
    }

    private int removeSessionsWithoutData() {
        List<UUID> held = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "SELECT s.id FROM UploadSession s WHERE s.stagingId = ?1 AND s.received > 0", UUID.class)
                .setParameter(1, staging.id()).getResultList());
        int removed = 0;
        for (UUID id : held) {
            if (Files.exists(staging.sessionFile(id))) continue;
            removed += QuarkusTransaction.requiringNew().call(() -> em.createQuery("DELETE FROM UploadSession s WHERE s.id = ?1")
                    .setParameter(1, id).executeUpdate());
        }
        return removed;
    }
}
