package dev.modelyard.server.tenant;

/** Tenant identifiers: lowercase slugs, as they appear in DDI paths. */
public final class Tenants {

    /** The tenant of a single-team install, and of every row that existed before tenants did. */
    public static final String DEFAULT = "default";

    /**
     * Not a tenant: the marker under which explicitly cross-tenant code runs (token lookup by hash,
     * the tenant directory, storage-wide sweeps). It can never be a real tenant's id, as it is not a slug.
     */
    static final String ALL = "*";

    private static final int MAX_LENGTH = 63;

    private Tenants() {
    }

    /**
     * A slug: 1 to 63 of {@code a-z 0-9 -}, not starting with a hyphen. Checked by hand rather
     * than by a regular expression because every DDI poll checks its path's tenant, and a matcher
     * is garbage on that path.
     */
    public static boolean isValidId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH || id.charAt(0) == '-') return false;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        }
        return true;
    }
}
