package dev.modelyard.server.tenantadmin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.server.auth.TokenService;
import dev.modelyard.server.database.DatabaseFailures;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.Tenant;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.TenantDirectory;
import dev.modelyard.server.tenant.TenantEnabled;
import dev.modelyard.server.tenant.Tenants;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.PersistenceException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/** Creating, listing and disabling tenants, and a tenant's own settings. */
@ApplicationScoped
public class TenantAdmin {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> SETTINGS = Set.of("pollingInterval", "maxUploadBytes");
    private static final Duration MIN_POLLING = Duration.ofSeconds(1);
    private static final Duration MAX_POLLING = Duration.ofDays(1);

    private final TenantContext tenants;
    private final TenantDirectory directory;
    private final TokenService tokens;
    private final Clock clock;
    private final Event<TenantEnabled> enabledEvent;

    public TenantAdmin(TenantContext tenants, TenantDirectory directory, TokenService tokens, Clock clock,
                       Event<TenantEnabled> enabledEvent) {
        this.tenants = tenants;
        this.directory = directory;
        this.tokens = tokens;
        this.clock = clock;
        this.enabledEvent = enabledEvent;
    }

    /** A tenant created with its first admin token. */
    public record Created(Tenant tenant, TokenService.Issued adminToken) {
    }

    /**
     * Creates the tenant and its first admin token in one transaction, so there is never a tenant
     * nobody can administer. Cross-tenant: the token belongs to the new tenant, not the caller's.
     */
    public Created create(String id, String name, String by) {
        if (!Tenants.isValidId(id)) {
            throw DomainException.field(ErrorCode.INVALID_NAME, "id",
                    "id: '" + id + "' must be 1-63 lowercase letters, digits and '-', starting with a letter or digit");
        }
        requireName(name);
        String exists = "tenant '" + id + "' already exists";
        return tenants.acrossTenants(() -> QuarkusTransaction.requiringNew().call(() -> {
            if (Tenant.findById(id) != null) throw DomainException.of(ErrorCode.ALREADY_EXISTS, exists);
            Tenant t = new Tenant();
            t.id = id;
            t.name = name;
            t.createdAt = clock.instant();
            t.updatedAt = t.createdAt;
            t.createdBy = by;
            try {
                t.persistAndFlush();
            } catch (PersistenceException e) {
                // The check above races with a concurrent create of the same id: the primary key decides.
                if (DatabaseFailures.isUniqueViolation(e)) throw DomainException.of(ErrorCode.ALREADY_EXISTS, exists);
                throw e;
            }
            return new Created(t, tokens.issueFirstAdmin(id, by));
        }));
    }

    public List<Tenant> list() {
        return QuarkusTransaction.requiringNew().call(() -> Tenant.<Tenant>list("order by id"));
    }

    public Tenant get(String id) {
        return QuarkusTransaction.requiringNew().call(() -> tenant(id));
    }

    /**
     * Renames, disables or enables a tenant. A disabled tenant's tokens and devices are refused and
     * its background work (conversion jobs, metadata renewal) waits; its data is kept. Enabling it
     * again renews its signed metadata at once, which may have expired meanwhile.
     */
    public Tenant patch(String id, TenantApi.PatchTenant body) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required: {\"enabled\": false}");
        boolean[] enabledAgain = {false};
        Tenant changed = QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = tenant(id);
            enabledAgain[0] = !t.enabled && Boolean.TRUE.equals(body.enabled());
            if (body.name() != null) t.name = requireName(body.name());
            if (body.enabled() != null) {
                if (!body.enabled() && Tenants.DEFAULT.equals(id)) {
                    throw DomainException.of(ErrorCode.CONFLICT, "the default tenant holds the system administrator's token and cannot be disabled");
                }
                t.enabled = body.enabled();
            }
            t.updatedAt = clock.instant();
            return t;
        });
        directory.invalidate(id);
        if (enabledAgain[0]) enabledEvent.fire(new TenantEnabled(id));
        return changed;
    }

    /** The current tenant's settings. */
    public TenantApi.SettingsView settings() {
        return QuarkusTransaction.requiringNew().call(() -> view(tenant(tenants.current()), null));
    }

    /** Applies a JSON merge patch (RFC 7396) of pollingInterval and maxUploadBytes; null resets one to the server's value. */
    public TenantApi.SettingsView patchSettings(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required: a JSON object of settings");
        }
        patch.fieldNames().forEachRemaining(f -> {
            if (!SETTINGS.contains(f)) {
                throw DomainException.field(ErrorCode.UNKNOWN_FIELD, f, f + ": not a setting (accepted: " + String.join(", ", SETTINGS.stream().sorted().toList()) + ")");
            }
        });
        String id = tenants.current();
        TenantApi.SettingsView v = QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = tenant(id);
            if (patch.has("pollingInterval")) t.pollingInterval = pollingInterval(patch.get("pollingInterval"));
            if (patch.has("maxUploadBytes")) t.maxUploadBytes = maxUploadBytes(patch.get("maxUploadBytes"));
            t.updatedAt = clock.instant();
            return view(t, null);
        });
        directory.invalidate(id);
        return v;
    }

    /** A new gateway token for the current tenant; the previous one stops working. Its secret is shown once. */
    public TenantApi.SettingsView rotateGatewayToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = "mygw_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String id = tenants.current();
        TenantApi.SettingsView v = QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = tenant(id);
            t.gatewayTokenHash = TokenService.hash(secret);
            t.gatewayTokenHint = secret.substring(0, 9);
            t.updatedAt = clock.instant();
            return view(t, secret);
        });
        directory.invalidate(id);
        return v;
    }

    public void removeGatewayToken() {
        String id = tenants.current();
        QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = tenant(id);
            t.gatewayTokenHash = null;
            t.gatewayTokenHint = null;
            t.updatedAt = clock.instant();
        });
        directory.invalidate(id);
    }

    private static TenantApi.SettingsView view(Tenant t, String newSecret) {
        return new TenantApi.SettingsView(t.id, t.name,
                new TenantApi.GatewayToken(t.gatewayTokenHash != null, t.gatewayTokenHint, newSecret),
                t.pollingInterval, t.maxUploadBytes);
    }

    private static Tenant tenant(String id) {
        Tenant t = Tenant.findById(id);
        if (t == null) throw DomainException.of(ErrorCode.TENANT_NOT_FOUND, "no tenant '" + id + "'");
        return t;
    }

    private static String requireName(String name) {
        if (name == null || name.isBlank()) throw DomainException.field(ErrorCode.MISSING_FIELD, "name", "name: required");
        if (name.length() > 200) throw DomainException.field(ErrorCode.INVALID_FIELD, "name", "name: at most 200 characters");
        return name;
    }

    private static String pollingInterval(JsonNode v) {
        if (v.isNull()) return null;
        if (!v.isTextual()) throw DomainException.field(ErrorCode.INVALID_FIELD_TYPE, "pollingInterval", "pollingInterval: an ISO-8601 duration string such as \"PT5M\"");
        Duration d;
        try {
            d = Duration.parse(v.asText());
        } catch (DateTimeParseException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "pollingInterval", "pollingInterval: '" + v.asText() + "' is not an ISO-8601 duration such as \"PT5M\"");
        }
        if (d.compareTo(MIN_POLLING) < 0 || d.compareTo(MAX_POLLING) > 0) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "pollingInterval", "pollingInterval: must be between PT1S and P1D");
        }
        return d.toString();
    }

    private static Long maxUploadBytes(JsonNode v) {
        if (v.isNull()) return null;
        if (!v.canConvertToExactIntegral() || !v.canConvertToLong()) {
            throw DomainException.field(ErrorCode.INVALID_FIELD_TYPE, "maxUploadBytes", "maxUploadBytes: a positive integer");
        }
        if (v.asLong() <= 0) throw DomainException.field(ErrorCode.INVALID_FIELD, "maxUploadBytes", "maxUploadBytes: must be positive");
        return v.asLong();
    }
}
