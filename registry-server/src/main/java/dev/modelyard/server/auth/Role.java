package dev.modelyard.server.auth;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The built-in roles of API tokens, each a fixed set of {@link Permission}s. Their names are reserved:
 * a tenant's custom roles ({@link CustomRole}) take others.
 * <ul>
 *   <li>viewer: reads the catalogue and the fleet (models, artifacts, profiles, keys, devices, deployments,
 *       rollouts) and the git sources that converge them, but not who may do what (tokens, roles) nor the audit trail;</li>
 *   <li>publisher: what it always could: publish models and their artifacts, run conversions and keep the
 *       profiles, provision and edit devices and deploy to them. It cannot delete a model or a device, set a
 *       device's token, define command steps or manage tokens and keys;</li>
 *   <li>operator: runs the fleet (devices with their tokens, deployments, rollouts with approval and roll
 *       back) and reads the models and artifacts it deploys and the git sources;</li>
 *   <li>admin: everything within its tenant, tokens, keys, roles and the audit trail included;</li>
 *   <li>system-admin: an admin who also manages the tenants. The bootstrap token has this role.</li>
 * </ul>
 */
public enum Role {
    VIEWER, PUBLISHER, OPERATOR, ADMIN, SYSTEM_ADMIN;

    private static final List<String> VIEWER_PERMISSIONS = List.of(
            Permission.MODELS_READ, Permission.ARTIFACTS_READ, Permission.PROFILES_READ, Permission.KEYS_READ,
            Permission.DEVICES_READ, Permission.DEPLOYMENTS_READ, Permission.ROLLOUTS_READ, Permission.GITSYNC_READ);

    private static final List<String> PUBLISHER_PERMISSIONS = List.of(
            Permission.MODELS_CREATE, Permission.MODELS_UPDATE,
            Permission.ARTIFACTS_CREATE, Permission.ARTIFACTS_UPDATE, Permission.ARTIFACTS_DELETE,
            Permission.PROFILES_CREATE, Permission.PROFILES_UPDATE, Permission.PROFILES_DELETE,
            Permission.DEVICES_CREATE, Permission.DEVICES_UPDATE,
            Permission.DEPLOYMENTS_CREATE, Permission.DEPLOYMENTS_UPDATE);

    private static final List<String> OPERATOR_PERMISSIONS = Stream.of(
                    Stream.of(Permission.MODELS_READ, Permission.ARTIFACTS_READ, Permission.GITSYNC_READ),
                    Permission.on("devices").stream(), Permission.on("deployments").stream(),
                    Permission.on("rollouts").stream())
            .flatMap(s -> s).toList();

    private static final List<String> ADMIN_PERMISSIONS = Permission.ALL.stream()
            .filter(p -> !Permission.resource(p).equals("tenants")).toList();

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The permissions an identity with this role holds, in {@link Permission#ALL}'s order. */
    public Set<String> permissions() {
        List<String> granted = switch (this) {
            case VIEWER -> VIEWER_PERMISSIONS;
            case PUBLISHER -> Stream.concat(VIEWER_PERMISSIONS.stream(), PUBLISHER_PERMISSIONS.stream()).toList();
            case OPERATOR -> OPERATOR_PERMISSIONS;
            case ADMIN -> ADMIN_PERMISSIONS;
            case SYSTEM_ADMIN -> Permission.ALL;
        };
        return Permission.ALL.stream().filter(granted::contains).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The built-in role of that name ({@link #wireName()}), if it is one. */
    public static Optional<Role> builtIn(String name) {
        return Arrays.stream(values()).filter(r -> r.wireName().equals(name)).findFirst();
    }
}
