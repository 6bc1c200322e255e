package dev.modelyard.server.audit;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ClientProxy;
import io.quarkus.arc.InstanceHandle;
import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.hibernate.Interceptor;
import org.hibernate.type.Type;

/**
 * Feeds {@link EntityChanges} from Hibernate: every entity a request's transactions insert, update
 * or delete, with its state before and after. Shared by all sessions of the persistence unit;
 * it keeps no state itself. Work outside a request (conversion workers, the garbage collector,
 * the device protocol's background writes) has no request context and is not collected.
 * <p>
 * Bulk statements (HQL {@code update}/{@code delete}, native SQL) bypass entity events: what they
 * change is not in the entry's before/after, though the call itself is recorded.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class ChangeInterceptor implements Interceptor {

    private final TransactionSynchronizationRegistry transactions;

    public ChangeInterceptor(TransactionSynchronizationRegistry transactions) {
        this.transactions = transactions;
    }

    @Override
    public boolean onPersist(Object entity, Object id, Object[] state, String[] names, Type[] types) {
        EntityChanges changes = changes(entity);
        if (changes != null) changes.created(transaction(changes), entity, Snapshots.state(state, names, types));
        return false;
    }

    @Override
    public boolean onFlushDirty(Object entity, Object id, Object[] current, Object[] previous, String[] names, Type[] types) {
        EntityChanges changes = changes(entity);
        if (changes == null) return false;
        Map<String, Object> before = new LinkedHashMap<>();
        Map<String, Object> after = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            if (types[i].isCollectionType()) continue;
            Object was = previous == null ? null : Snapshots.property(names[i], previous[i], types[i]);
            Object is = Snapshots.property(names[i], current[i], types[i]);
            // A secret that changed shows as changed, still redacted on both sides.
            boolean changed = Snapshots.isSecret(names[i])
                    ? !Objects.deepEquals(previous == null ? null : previous[i], current[i])
                    : !Objects.equals(was, is);
            if (changed) {
                before.put(names[i], was);
                after.put(names[i], is);
            }
        }
        if (!after.isEmpty()) changes.updated(transaction(changes), entity, before, after);
        return false;
    }

    @Override
    public void onRemove(Object entity, Object id, Object[] state, String[] names, Type[] types) {
        EntityChanges changes = changes(entity);
        if (changes != null) changes.removed(transaction(changes), entity, Snapshots.state(state, names, types));
    }

    /**
     * The request's collector, or null when there is no request, the request is not one that is
     * recorded, or the entity is the audit trail itself.
     */
    private static EntityChanges changes(Object entity) {
        if (entity instanceof AuditRecord || !Arc.container().requestContext().isActive()) return null;
        InstanceHandle<EntityChanges> handle = Arc.container().instance(EntityChanges.class);
        if (!handle.isAvailable()) return null;
        // The instance itself, not its proxy: the transaction may end where the request context is gone.
        EntityChanges changes = ClientProxy.unwrap(handle.get());
        return changes.collecting() ? changes : null;
    }

    /**
     * The key of the current transaction; the first time it is seen, the collector is told when it
     * ends and whether it committed.
     */
    private Object transaction(EntityChanges changes) {
        Object key = transactions.getTransactionKey();
        if (key == null) return NO_TRANSACTION;
        if (transactions.getResource(EntityChanges.class) == null) {
            transactions.putResource(EntityChanges.class, Boolean.TRUE);
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                }

                @Override
                public void afterCompletion(int status) {
                    changes.completed(key, status == Status.STATUS_COMMITTED);
                }
            });
        }
        return key;
    }

    /** Flushes outside a transaction write nothing in this server; kept apart, they are never committed. */
    private static final Object NO_TRANSACTION = new Object();
}
