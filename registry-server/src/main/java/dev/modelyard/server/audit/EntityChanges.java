package dev.modelyard.server.audit;

import jakarta.enterprise.context.RequestScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The entity changes of the current request, collected by {@link ChangeInterceptor} as Hibernate
 * flushes them. Changes of a transaction count only once it commits: a request that fails and
 * rolls back changed nothing, and its entry says so.
 */
@RequestScoped
public class EntityChanges {

    /** One entity's change within the request: its state before (null: created) and after (null: removed). */
    static final class Change {
        final Object entity;
        final String type;
        Map<String, Object> before;
        Map<String, Object> after;
        final boolean created;
        boolean removed;

        Change(Object entity, String type, Map<String, Object> before, Map<String, Object> after, boolean created) {
            this.entity = entity;
            this.type = type;
            this.before = before;
            this.after = after;
            this.created = created;
        }
    }

    private final Map<Object, Map<Object, Change>> pending = new HashMap<>();
    /** Only calls that are recorded collect: reads and the device protocol pay nothing. */
    private volatile boolean collecting;
    private final Map<Object, Change> committed = new IdentityHashMap<>();
    private final List<Change> order = new ArrayList<>();

    void collect() {
        collecting = true;
    }

    boolean collecting() {
        return collecting;
    }

    synchronized void created(Object transaction, Object entity, Map<String, Object> state) {
        Change c = in(transaction).get(entity);
        if (c == null) {
            in(transaction).put(entity, new Change(entity, typeOf(entity), null, state, true));
        } else {
            c.after = state;
            c.removed = false;
        }
    }

    synchronized void updated(Object transaction, Object entity, Map<String, Object> before, Map<String, Object> after) {
        Change c = in(transaction).get(entity);
        if (c == null) {
            in(transaction).put(entity, new Change(entity, typeOf(entity), new LinkedHashMap<>(before), new LinkedHashMap<>(after), false));
        } else if (c.created) {
            c.after.putAll(after);
        } else {
            before.forEach(c.before::putIfAbsent);
            c.after.putAll(after);
        }
    }

    synchronized void removed(Object transaction, Object entity, Map<String, Object> state) {
        Change c = in(transaction).get(entity);
        if (c == null) {
            in(transaction).put(entity, new Change(entity, typeOf(entity), state, null, false));
        } else {
            c.removed = true;
            c.after = null;
        }
    }

    /** The transaction ended: its changes count if it committed. */
    synchronized void completed(Object transaction, boolean committed) {
        Map<Object, Change> changes = pending.remove(transaction);
        if (changes == null || !committed) return;
        for (Change c : changes.values()) {
            Change earlier = this.committed.get(c.entity);
            if (earlier == null) {
                this.committed.put(c.entity, c);
                order.add(c);
            } else {
                // A second transaction of the same request changed the entity again.
                if (earlier.before != null && c.before != null) c.before.forEach(earlier.before::putIfAbsent);
                if (c.after == null) earlier.after = null;
                else if (earlier.after != null) earlier.after.putAll(c.after);
                else earlier.after = c.after;
            }
        }
    }

    /**
     * What the request changed, keyed by {@code "<Entity> <id>"}: the state before (null: did not
     * exist) and after (null: no longer exists). Updates carry only the properties that changed;
     * a creation or removal the whole state. Entities created and removed again are left out.
     */
    synchronized BeforeAfter result() {
        Map<String, Object> before = new LinkedHashMap<>();
        Map<String, Object> after = new LinkedHashMap<>();
        for (Change c : order) {
            if (c.created && c.after == null) continue;
            if (!c.created && c.before != null && c.after != null && Objects.equals(c.before, c.after)) continue;
            String key = c.type + " " + Snapshots.value(Snapshots.idOf(c.entity), 0);
            before.put(key, c.created ? null : c.before);
            after.put(key, c.after);
        }
        return before.isEmpty() ? new BeforeAfter(null, null) : new BeforeAfter(before, after);
    }

    record BeforeAfter(Map<String, Object> before, Map<String, Object> after) {
    }

    private Map<Object, Change> in(Object transaction) {
        return pending.computeIfAbsent(transaction, t -> new IdentityHashMap<>());
    }

    private static String typeOf(Object entity) {
        Class<?> c = entity.getClass();
        // Hibernate's enhanced or proxy subclasses carry '$' names; the entity is their first plain superclass.
        while (c.getSimpleName().contains("$") && c.getSuperclass() != null) c = c.getSuperclass();
        return c.getSimpleName();
    }
}
