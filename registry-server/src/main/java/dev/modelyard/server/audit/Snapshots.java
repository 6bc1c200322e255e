package dev.modelyard.server.audit;

import dev.modelyard.wire.trust.CanonicalJson;
import jakarta.persistence.Id;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.hibernate.proxy.HibernateProxy;
import org.hibernate.type.Type;

/**
 * Turns entity state, as Hibernate hands it over, into the JSON values the audit chain hashes
 * ({@link CanonicalJson}'s subset: strings, safe integers, booleans, null, maps, lists), with secrets
 * redacted. Everything else becomes its string form, so that a value never makes an entry unrecordable.
 */
final class Snapshots {

    /** What a redacted property holds instead of its value. */
    static final String REDACTED = "[redacted]";
    /** The tenant property of every tenant-owned entity (see {@code tenant.TenantOwned}). */
    private static final String TENANT = "tenant";

    /**
     * Properties that hold secrets or what would let one be checked offline: token hashes, readable
     * device tokens, private keys, passwords. Matched on the property name, so a new entity with
     * such a field is covered without being listed here.
     */
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(secret|password|passphrase|private|tokenhash|keymaterial|credential).*");
    /** Long texts (documents, logs) are cut: the trail says that they changed, not all they hold. */
    static final int MAX_STRING = 2048;
    private static final int MAX_DEPTH = 8;

    private Snapshots() {
    }

    static boolean isSecret(String property) {
        return SECRET.matcher(property).matches();
    }

    /**
     * The properties of one entity state; collections (loaded lazily, owned by another table) are left
     * out, and so is the tenant: the entry names it, and on insert the ORM fills it only after the
     * interceptor has seen the state, which would show a misleading null.
     */
    static Map<String, Object> state(Object[] values, String[] names, Type[] types) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            if (types[i].isCollectionType() || TENANT.equals(names[i])) continue;
            out.put(names[i], property(names[i], values[i], types[i]));
        }
        return out;
    }

    static Object property(String name, Object value, Type type) {
        if (isSecret(name)) return value == null ? null : REDACTED;
        if (type.isEntityType()) return value == null ? null : value(idOf(value), 0);
        return value(value, 0);
    }

    /** The identifier of an entity or of a proxy of one, without loading it. */
    static Object idOf(Object entity) {
        if (entity instanceof HibernateProxy proxy) return proxy.getHibernateLazyInitializer().getIdentifier();
        for (Class<?> c = entity.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(Id.class)) {
                    try {
                        f.setAccessible(true);
                        return f.get(entity);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    static Object value(Object value, int depth) {
        if (value == null || value instanceof Boolean) return value;
        if (value instanceof String s) return text(s);
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            long n = ((Number) value).longValue();
            return Math.abs(n) <= CanonicalJson.MAX_SAFE_INTEGER ? (Object) n : Long.toString(n);
        }
        if (value instanceof Enum<?> e) return e.name().toLowerCase(java.util.Locale.ROOT);
        if (value instanceof byte[] bytes) return "<" + bytes.length + " bytes>";
        if (depth >= MAX_DEPTH) return "…";
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                String key = text(String.valueOf(k));
                out.put(key, isSecret(key) && v != null ? REDACTED : value(v, depth + 1));
            });
            return out;
        }
        if (value instanceof Collection<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object v : list) out.add(value(v, depth + 1));
            return out;
        }
        return text(value.toString());
    }

    /** NUL cannot be stored in jsonb and lone surrogates are not JSON text: both become U+FFFD. */
    private static String text(String s) {
        String cut = s.length() > MAX_STRING ? s.substring(0, MAX_STRING) + "…(" + s.length() + " characters)" : s;
        StringBuilder b = null;
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            boolean bad = c == 0
                    || (Character.isHighSurrogate(c) && (i + 1 >= cut.length() || !Character.isLowSurrogate(cut.charAt(i + 1))))
                    || (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(cut.charAt(i - 1))));
            if (bad && b == null) b = new StringBuilder(cut.substring(0, i));
            if (b != null) b.append(bad ? '\uFFFD' : c);
        }
        return b == null ? cut : b.toString();
    }
}
