package dev.modelyard.server.audit;

import dev.modelyard.wire.audit.AuditChain;
import dev.modelyard.wire.audit.AuditEntry;
import dev.modelyard.wire.trust.CanonicalJson;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's audit trail: appending entries to its hash chain, reading them, checking the chain.
 * Appends of one tenant are serialized by a transaction-scoped advisory lock, so that each entry
 * links to the one before it even when many requests finish at once (and on several replicas).
 */
@ApplicationScoped
public class AuditTrail {

    /** Entries read per query when the chain is checked. */
    static final int VERIFY_BATCH = 1000;

    private final EntityManager em;
    private final Clock clock;

    public AuditTrail(EntityManager em, Clock clock) {
        this.em = em;
        this.clock = clock;
    }

    /** What a call did, before it is placed in the chain. */
    public record Draft(String tenant, UUID actorId, String actorName, String action, String targetType, String targetId,
                        Object before, Object after, int outcome, String requestId, String source) {
    }

    /** Appends an entry in a transaction of its own, and returns it as stored. */
    public AuditEntry append(Draft d) {
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("select pg_advisory_xact_lock(hashtextextended('audit_entry:' || ?1, 0))")
                    .setParameter(1, d.tenant()).getSingleResult();
            AuditRecord last = AuditRecord.<AuditRecord>find("tenant = ?1 order by seq desc", d.tenant()).firstResult();
            AuditRecord r = new AuditRecord();
            r.tenant = d.tenant();
            r.seq = last == null ? 1 : last.seq + 1;
            r.at = Instant.now(clock).truncatedTo(ChronoUnit.MICROS);
            r.actorId = d.actorId();
            r.actorName = d.actorName();
            r.action = d.action();
            r.targetType = d.targetType();
            r.targetId = d.targetId();
            r.before = d.before() == null ? null : CanonicalJson.toCompactString(d.before());
            r.after = d.after() == null ? null : CanonicalJson.toCompactString(d.after());
            r.outcome = d.outcome();
            r.requestId = d.requestId();
            r.source = d.source();
            r.prevHash = last == null ? AuditChain.GENESIS : last.hash;
            AuditEntry unsealed = r.toEntry();
            r.hash = AuditChain.hash(r.prevHash, unsealed);
            r.persist();
            return r.toEntry();
        });
    }

    /** Filters of the list; null fields do not filter. {@code actor} is a token id or a token name. */
    public record Filter(String actor, String action, String targetType, String targetId, Integer outcome,
                         String requestId, Instant from, Instant to) {
    }

    /** A page of the tenant's entries, in chain order, or newest first when {@code newestFirst}. */
    public dev.modelyard.server.http.Page<AuditEntry> list(String tenant, Filter f, Page page, boolean newestFirst) {
        Parameters p = Parameters.with("tenant", tenant);
        String where = where(f, p);
        var query = AuditRecord.<AuditRecord>find(where + (newestFirst ? " order by seq desc" : " order by seq"), p).page(page);
        List<AuditEntry> items = query.list().stream().map(AuditRecord::toEntry).toList();
        return new dev.modelyard.server.http.Page<>(items, page.index, page.size, query.count());
    }

    /**
     * The next entries matching the filter after position {@code afterSeq} of the chain, at most {@code limit}, in
     * chain order, each batch in a transaction of its own: an export reads a large trail a batch at a time
     * (seq-keyed, so a batch costs the same at the end of the trail as at its start).
     */
    public List<AuditEntry> after(String tenant, Filter f, long afterSeq, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Parameters p = Parameters.with("tenant", tenant).and("afterSeq", afterSeq);
            String where = where(f, p) + " and seq > :afterSeq";
            return AuditRecord.<AuditRecord>find(where + " order by seq", p).page(0, limit).list().stream()
                    .map(AuditRecord::toEntry).toList();
        });
    }

    private static String where(Filter f, Parameters p) {
        StringBuilder q = new StringBuilder("tenant = :tenant");
        if (f.actor() != null) {
            UUID id = uuid(f.actor());
            if (id != null) {
                q.append(" and (actorId = :actorId or actorName = :actor)");
                p.and("actorId", id);
            } else {
                q.append(" and actorName = :actor");
            }
            p.and("actor", f.actor());
        }
        if (f.action() != null) {
            q.append(" and action = :action");
            p.and("action", f.action());
        }
        if (f.targetType() != null) {
            q.append(" and targetType = :targetType");
            p.and("targetType", f.targetType());
        }
        if (f.targetId() != null) {
            q.append(" and targetId = :targetId");
            p.and("targetId", f.targetId());
        }
        if (f.outcome() != null) {
            q.append(" and outcome = :outcome");
            p.and("outcome", f.outcome());
        }
        if (f.requestId() != null) {
            q.append(" and requestId = :requestId");
            p.and("requestId", f.requestId());
        }
        if (f.from() != null) {
            q.append(" and at >= :from");
            p.and("from", f.from());
        }
        if (f.to() != null) {
            q.append(" and at < :to");
            p.and("to", f.to());
        }
        return q.toString();
    }

    /** Checks the tenant's whole chain from its first entry, a batch at a time. */
    public AuditChain.Result verify(String tenant) {
        AuditChain.Verifier verifier = AuditChain.verifier();
        long after = 0;
        while (true) {
            List<AuditRecord> batch = AuditRecord.<AuditRecord>find("tenant = ?1 and seq > ?2 order by seq", tenant, after)
                    .page(0, VERIFY_BATCH).list();
            for (AuditRecord r : batch) {
                verifier.accept(r.toEntry());
                after = r.seq;
            }
            // Stop at the first break: everything after it is unproven anyway.
            if (batch.size() < VERIFY_BATCH || !verifier.result().intact()) return verifier.result();
            em.clear();
        }
    }

    private static UUID uuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
