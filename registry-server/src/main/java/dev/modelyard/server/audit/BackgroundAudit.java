package dev.modelyard.server.audit;

import dev.modelyard.server.error.DomainException;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The audit trail of changes no REST call makes: a background pass (the git sync) that changes a
 * tenant's objects through the domain services. {@link AuditRecorder} records calls; this records
 * such work the same way, one entry per unit of work with the entity changes it committed, so the
 * tenant's chain holds every change whoever made it.
 */
@ApplicationScoped
public class BackgroundAudit {

    private static final Logger LOG = Logger.getLogger(BackgroundAudit.class);

    private final AuditTrail trail;
    private final EntityChanges changes;

    public BackgroundAudit(AuditTrail trail, EntityChanges changes) {
        this.trail = trail;
        this.changes = changes;
    }

    /**
     * What the entry says besides the entity changes: who acted, what it did, on what, and the id
     * that ties it to its cause ({@code requestId}: e.g. a commit). {@code about} goes into the
     * entry's {@code after} beside the changes, under the key {@code "about"}.
     */
    public record Work(String tenant, String actorName, String action, String targetType, String targetId,
                       String requestId, Map<String, Object> about) {
    }

    /**
     * Runs {@code work} in a request context of its own (so its changes are its own, never a
     * request's) and appends one entry: outcome 200 with what it committed when it changed
     * something, or the status of the {@link DomainException} it threw (rethrown after). Work that
     * succeeds and changes nothing leaves no entry.
     *
     * @throws IllegalStateException when called inside a request: the request's entry would take the changes
     */
    public <T> T run(Work w, Supplier<T> work) {
        ManagedContext requestContext = Arc.container().requestContext();
        if (requestContext.isActive()) {
            throw new IllegalStateException("background audit inside a request: run the work on a thread of its own");
        }
        requestContext.activate();
        try {
            changes.collect();
            T result;
            try {
                result = work.get();
            } catch (DomainException e) {
                append(w, changes.result(), e.code().status());
                throw e;
            }
            EntityChanges.BeforeAfter state = changes.result();
            if (state.after() != null || state.before() != null) append(w, state, 200);
            return result;
        } finally {
            requestContext.terminate();
        }
    }

    private void append(Work w, EntityChanges.BeforeAfter state, int outcome) {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("about", w.about());
        if (state.after() != null) after.putAll(state.after());
        AuditTrail.Draft draft = new AuditTrail.Draft(w.tenant(), null, w.actorName(), w.action(), w.targetType(), w.targetId(),
                state.before(), after, outcome, w.requestId(), null);
        try {
            trail.append(draft);
        } catch (RuntimeException e) {
            // As for calls: the work happened; the entry is logged whole so it can be reconstructed.
            LOG.errorf(e, "audit entry not written: %s", draft);
        }
    }
}
