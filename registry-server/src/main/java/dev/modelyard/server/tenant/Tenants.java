package dev.modelyard.server.tenant;

import java.util.regex.Pattern;

/** Tenant identifiers: lowercase slugs, as they appear in DDI paths. */
public final class Tenants {

    /** The tenant of a single-team install, and of every row that existed before tenants did. */
    public static final String DEFAULT = "default";

    /**
     * Not a tenant: the marker under which explicitly cross-tenant code runs (token lookup by hash,
     * the tenant directory, storage-wide sweeps). It can never be a real tenant's id, as it is not a slug.
     */
    static final String ALL = "*";

    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private Tenants() {
    }

    public static boolean isValidId(String id) {
        return id != null && SLUG.matcher(id).matches();
    }
}
