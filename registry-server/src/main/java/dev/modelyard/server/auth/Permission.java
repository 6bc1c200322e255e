package dev.modelyard.server.auth;

import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.StringPermission;
import io.quarkus.security.identity.SecurityIdentity;
import java.util.Collection;
import java.util.List;

/**
 * The permission vocabulary: {@code <resource>:<action>}, as {@code @PermissionsAllowed} names it on every
 * management operation and as API token identities carry it (Quarkus reads {@code "models:create"} as the
 * permission {@code models} with the action {@code create}). The constants are the only spelling: annotations
 * need compile-time constants, and {@link #ALL} is the list roles are checked against.
 * <p>
 * Two actions guard a part of an operation rather than an operation: {@link #DEVICES_CREDENTIALS} (set,
 * rotate or read a device's token: whoever can, can act as that device) and {@link #PROFILES_COMMAND}
 * (conversion steps that run programs on the server).
 */
public final class Permission {

    public static final String MODELS_READ = "models:read";
    public static final String MODELS_CREATE = "models:create";
    public static final String MODELS_UPDATE = "models:update";
    public static final String MODELS_DELETE = "models:delete";

    public static final String ARTIFACTS_READ = "artifacts:read";
    public static final String ARTIFACTS_CREATE = "artifacts:create";
    public static final String ARTIFACTS_UPDATE = "artifacts:update";
    public static final String ARTIFACTS_DELETE = "artifacts:delete";

    public static final String DEVICES_READ = "devices:read";
    public static final String DEVICES_CREATE = "devices:create";
    public static final String DEVICES_UPDATE = "devices:update";
    public static final String DEVICES_DELETE = "devices:delete";
    public static final String DEVICES_CREDENTIALS = "devices:credentials";

    public static final String DEPLOYMENTS_READ = "deployments:read";
    public static final String DEPLOYMENTS_CREATE = "deployments:create";
    public static final String DEPLOYMENTS_UPDATE = "deployments:update";
    public static final String DEPLOYMENTS_DELETE = "deployments:delete";

    public static final String ROLLOUTS_READ = "rollouts:read";
    public static final String ROLLOUTS_CREATE = "rollouts:create";
    public static final String ROLLOUTS_UPDATE = "rollouts:update";
    public static final String ROLLOUTS_DELETE = "rollouts:delete";
    public static final String ROLLOUTS_APPROVE = "rollouts:approve";
    public static final String ROLLOUTS_ROLLBACK = "rollouts:rollback";

    public static final String PROFILES_READ = "profiles:read";
    public static final String PROFILES_CREATE = "profiles:create";
    public static final String PROFILES_UPDATE = "profiles:update";
    public static final String PROFILES_DELETE = "profiles:delete";
    public static final String PROFILES_COMMAND = "profiles:command";

    public static final String TOKENS_READ = "tokens:read";
    public static final String TOKENS_CREATE = "tokens:create";
    public static final String TOKENS_UPDATE = "tokens:update";
    public static final String TOKENS_DELETE = "tokens:delete";

    public static final String KEYS_READ = "keys:read";
    public static final String KEYS_CREATE = "keys:create";
    public static final String KEYS_UPDATE = "keys:update";
    public static final String KEYS_DELETE = "keys:delete";

    public static final String ROLES_READ = "roles:read";
    public static final String ROLES_CREATE = "roles:create";
    public static final String ROLES_UPDATE = "roles:update";
    public static final String ROLES_DELETE = "roles:delete";

    /** Git sources: the repositories the server keeps a tenant's objects converged to (GitOps). */
    public static final String GITSYNC_READ = "gitsync:read";
    public static final String GITSYNC_CREATE = "gitsync:create";
    public static final String GITSYNC_UPDATE = "gitsync:update";
    public static final String GITSYNC_DELETE = "gitsync:delete";

    /** The trail is append-only: there is nothing to create, change or delete through the API. */
    public static final String AUDIT_READ = "audit:read";

    public static final String TENANTS_READ = "tenants:read";
    public static final String TENANTS_CREATE = "tenants:create";
    public static final String TENANTS_UPDATE = "tenants:update";
    public static final String TENANTS_DELETE = "tenants:delete";

    /** Every permission, grouped by resource, in the order the documentation lists them. */
    public static final List<String> ALL = List.of(
            MODELS_READ, MODELS_CREATE, MODELS_UPDATE, MODELS_DELETE,
            ARTIFACTS_READ, ARTIFACTS_CREATE, ARTIFACTS_UPDATE, ARTIFACTS_DELETE,
            DEVICES_READ, DEVICES_CREATE, DEVICES_UPDATE, DEVICES_DELETE, DEVICES_CREDENTIALS,
            DEPLOYMENTS_READ, DEPLOYMENTS_CREATE, DEPLOYMENTS_UPDATE, DEPLOYMENTS_DELETE,
            ROLLOUTS_READ, ROLLOUTS_CREATE, ROLLOUTS_UPDATE, ROLLOUTS_DELETE, ROLLOUTS_APPROVE, ROLLOUTS_ROLLBACK,
            PROFILES_READ, PROFILES_CREATE, PROFILES_UPDATE, PROFILES_DELETE, PROFILES_COMMAND,
            GITSYNC_READ, GITSYNC_CREATE, GITSYNC_UPDATE, GITSYNC_DELETE,
            TOKENS_READ, TOKENS_CREATE, TOKENS_UPDATE, TOKENS_DELETE,
            KEYS_READ, KEYS_CREATE, KEYS_UPDATE, KEYS_DELETE,
            ROLES_READ, ROLES_CREATE, ROLES_UPDATE, ROLES_DELETE,
            AUDIT_READ,
            TENANTS_READ, TENANTS_CREATE, TENANTS_UPDATE, TENANTS_DELETE);

    private Permission() {
    }

    /** The resource part: {@code "models"} of {@code "models:read"}. */
    public static String resource(String permission) {
        return permission.substring(0, permission.indexOf(':'));
    }

    /** The permissions of {@link #ALL} on one resource. */
    public static List<String> on(String resource) {
        return ALL.stream().filter(p -> resource(p).equals(resource)).toList();
    }

    /** Whether the caller holds the permission, for the checks inside an operation that annotations cannot express. */
    public static boolean held(SecurityIdentity identity, String permission) {
        int colon = permission.indexOf(':');
        return identity.checkPermissionBlocking(
                new StringPermission(permission.substring(0, colon), permission.substring(colon + 1)));
    }

    /** Whether the caller holds every one of the permissions (e.g. those of a token it wants to issue). */
    public static boolean heldAll(SecurityIdentity identity, Collection<String> permissions) {
        return permissions.stream().allMatch(p -> held(identity, p));
    }
}
