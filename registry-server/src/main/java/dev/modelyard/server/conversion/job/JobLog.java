package dev.modelyard.server.conversion.job;

import dev.modelyard.server.conversion.ConversionLog;
import dev.modelyard.server.live.LiveEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's log in the database. Lines are buffered by the running job and written in small
 * transactions of their own, so a log never holds locks on the job row and survives the job's
 * outcome whatever it is.
 */
@ApplicationScoped
public class JobLog {

    static final int MAX_LINE = 2000;

    private final EntityManager em;
    private final Clock clock;
    private final LiveEvents live;

    public JobLog(EntityManager em, Clock clock, LiveEvents live) {
        this.live = live;
        this.em = em;
        this.clock = clock;
    }

    /**
     * Writes one line in the caller's transaction (so it commits with the change it describes),
     * or in one of its own when there is none.
     */
    public void append(long jobId, String line) {
        QuarkusTransaction.joiningExisting().run(() -> {
            insert(jobId, new Line(clock.instant(), line));
            logged(jobId);
        });
    }

    /** A buffer for one running job; {@link Buffer#flush()} writes what it holds. */
    public Buffer buffer(long jobId) {
        return new Buffer(jobId);
    }

    private record Line(Instant at, String text) {
    }

    private void write(long jobId, List<Line> lines) {
        if (lines.isEmpty()) return;
        QuarkusTransaction.requiringNew().run(() -> {
            lines.forEach(l -> insert(jobId, l));
            logged(jobId);
        });
    }

    /**
     * One event for the lines written, naming the job's model and version (a scoped token hears it, and
     * coalesced with the job's status event it keeps both). No status: the job's did not change.
     */
    private void logged(long jobId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT m.name, v.version FROM conversion_job j JOIN model_version v ON v.id = j.version_id
                        JOIN model m ON m.id = v.model_id WHERE j.id = ?1""")
                .setParameter(1, jobId).getResultList();
        if (rows.isEmpty()) {
            live.job(jobId, null, null, null);
        } else {
            live.job(jobId, null, (String) rows.get(0)[0], (String) rows.get(0)[1]);
        }
    }

    private void insert(long jobId, Line l) {
        String text = l.text().length() > MAX_LINE ? l.text().substring(0, MAX_LINE) + "…" : l.text();
        em.createNativeQuery("INSERT INTO conversion_job_log (job_id, at, line) VALUES (?1, ?2, ?3)")
                .setParameter(1, jobId).setParameter(2, l.at()).setParameter(3, text).executeUpdate();
    }

    public final class Buffer implements ConversionLog {
        private final long jobId;
        private final List<Line> pending = new ArrayList<>();

        private Buffer(long jobId) {
            this.jobId = jobId;
        }

        @Override
        public synchronized void line(String text) {
            pending.add(new Line(clock.instant(), text));
        }

        public void flush() {
            List<Line> batch;
            synchronized (this) {
                batch = new ArrayList<>(pending);
                pending.clear();
            }
            write(jobId, batch);
        }
    }
}
