package dev.modelyard.server.auth;

import dev.modelyard.server.database.DatabaseFailures;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.http.Names;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The roles a token can carry: the built-in ones ({@link Role}) and the current tenant's custom roles.
 * Built-in names are reserved: no custom role takes one, and built-in roles cannot be changed.
 */
@ApplicationScoped
public class RoleService {

    private final Clock clock;
    private final TenantContext tenants;

    public RoleService(Clock clock, TenantContext tenants) {
        this.clock = clock;
        this.tenants = tenants;
    }

    /** A role as the API shows it. */
    public record RoleView(String name, boolean builtIn, String description, List<String> permissions,
                           Instant createdAt, String createdBy, Instant updatedAt) {

        static RoleView of(Role r) {
            return new RoleView(r.wireName(), true, null, List.copyOf(r.permissions()), null, null, null);
        }

        static RoleView of(CustomRole r) {
            return new RoleView(r.name, false, r.description, List.copyOf(r.permissions), r.createdAt, r.createdBy, r.updatedAt);
        }
    }

    /** The permissions of the role of that name in the tenant, if there is one. */
    @Transactional
    public Optional<Set<String>> permissions(String tenant, String role) {
        Optional<Role> builtIn = Role.builtIn(role);
        if (builtIn.isPresent()) return Optional.of(builtIn.get().permissions());
        return CustomRole.find(tenant, role).map(r -> Set.copyOf(r.permissions));
    }

    /** The permissions of a role of the current tenant; 400 naming {@code field} when there is none. */
    @Transactional
    public Set<String> require(String field, String role) {
        if (role == null) throw DomainException.field(ErrorCode.MISSING_FIELD, field, field + ": is required");
        return permissions(tenants.current(), role).orElseThrow(() -> DomainException.field(ErrorCode.INVALID_FIELD, field,
                field + ": '" + role + "' is neither a built-in role (" + builtInNames() + ") nor a role of this tenant"));
    }

    @Transactional
    public List<RoleView> list() {
        List<RoleView> all = new ArrayList<>();
        Arrays.stream(Role.values()).map(RoleView::of).forEach(all::add);
        CustomRole.listOf(tenants.current()).stream().map(RoleView::of).forEach(all::add);
        return all;
    }

    @Transactional
    public RoleView get(String name) {
        return Role.builtIn(name).map(RoleView::of).orElseGet(() -> RoleView.of(custom(name)));
    }

    /**
     * Checks a permission list: every entry one of {@link Permission#ALL}, none twice; the answer is in
     * {@link Permission#ALL}'s order, so that equal sets read the same.
     */
    public static List<String> validPermissions(List<String> permissions) {
        if (permissions == null) throw DomainException.field(ErrorCode.MISSING_FIELD, "permissions", "permissions: is required");
        Set<String> set = new LinkedHashSet<>();
        for (String p : permissions) {
            if (p == null || !Permission.ALL.contains(p)) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, "permissions", "permissions: '" + p
                        + "' is not a permission; they are resource:action, e.g. " + Permission.MODELS_READ);
            }
            set.add(p);
        }
        return Permission.ALL.stream().filter(set::contains).toList();
    }

    @Transactional
    public RoleView create(String name, String description, List<String> permissions, String by) {
        Names.require("name", name);
        if (Role.builtIn(name).isPresent()) throw builtIn(name);
        String tenant = tenants.current();
        String exists = "role '" + name + "' exists already";
        if (CustomRole.find(tenant, name).isPresent()) throw DomainException.of(ErrorCode.ALREADY_EXISTS, exists);
        CustomRole r = new CustomRole();
        r.id = UUID.randomUUID();
        r.name = name;
        r.description = description;
        r.permissions = new ArrayList<>(validPermissions(permissions));
        r.createdAt = clock.instant();
        r.createdBy = by;
        r.updatedAt = r.createdAt;
        try {
            r.persistAndFlush();
        } catch (PersistenceException e) {
            // The check above races with a concurrent create of the same name: the unique index decides.
            if (DatabaseFailures.isUniqueViolation(e)) throw DomainException.of(ErrorCode.ALREADY_EXISTS, exists);
            throw e;
        }
        return RoleView.of(r);
    }

    /** Replaces a custom role's description and permissions; tokens carrying it hold the new ones at their next request. */
    @Transactional
    public RoleView replace(String name, String description, List<String> permissions) {
        if (Role.builtIn(name).isPresent()) throw builtIn(name);
        CustomRole r = custom(name);
        r.description = description;
        r.permissions = new ArrayList<>(validPermissions(permissions));
        r.updatedAt = clock.instant();
        return RoleView.of(r);
    }

    /** Deletes a custom role no active token carries (revoke or re-issue those first). */
    @Transactional
    public void delete(String name) {
        if (Role.builtIn(name).isPresent()) throw builtIn(name);
        CustomRole r = custom(name);
        long carriers = ApiToken.count("role = ?1 and revokedAt is null", name);
        if (carriers > 0) {
            throw DomainException.of(ErrorCode.ROLE_IN_USE, "role '" + name + "' is carried by " + carriers
                    + " token(s) that are not revoked; revoke them first");
        }
        r.delete();
    }

    private CustomRole custom(String name) {
        return CustomRole.find(tenants.current(), name)
                .orElseThrow(() -> DomainException.of(ErrorCode.ROLE_NOT_FOUND, "no role named '" + name + "'"));
    }

    private static DomainException builtIn(String name) {
        return DomainException.of(ErrorCode.ROLE_BUILT_IN, "'" + name + "' is a built-in role: it cannot be created, changed "
                + "or deleted (built-in roles are " + builtInNames() + ")");
    }

    private static String builtInNames() {
        return String.join(", ", Arrays.stream(Role.values()).map(Role::wireName).toList());
    }
}
