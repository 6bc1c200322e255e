package dev.modelyard.server.tenant;

/** Tenant names the server knows without asking the database. */
public final class Tenants {

    /** The tenant of a single-tenant install, and of everything that existed before tenants. */
    public static final String DEFAULT = "default";

    /** The security identity attribute both authentication paths set to the caller's tenant. */
    public static final String IDENTITY_ATTRIBUTE = "modelyard.tenant";

    private Tenants() {
    }
}
