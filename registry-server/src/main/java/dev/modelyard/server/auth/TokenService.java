package dev.modelyard.server.auth;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Names;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Issues, checks and revokes API tokens. Secrets are 256 random bits, so a plain SHA-256 of the
 * secret is a safe verifier (no salt or slow hash is needed for values that cannot be guessed).
 */
@ApplicationScoped
public class TokenService {

    static final String PREFIX = "myd_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final RoleService roles;

    public TokenService(Clock clock, RoleService roles) {
        this.clock = clock;
        this.roles = roles;
    }

    /** A token that was just issued: the only moment its secret is known. */
    public record Issued(ApiToken token, String secret) {
    }

    /**
     * Who a valid token belongs to: its tenant, what its role allows now and the models it is confined to
     * (null: all).
     */
    public record Caller(UUID tokenId, String tenant, String name, String role, Set<String> permissions, String scope) {
    }

    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String secret) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Transactional
    /** {@code role} must name a role of the caller's tenant and {@code scope} be a valid {@link ModelScope} glob or null. */
    public Issued issue(String name, String role, String scope, Instant expiresAt, String createdBy) {
        Names.require("name", name);
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "expiresAt", "expiresAt: must be in the future");
        }
        String secret = newSecret();
        ApiToken t = store(name, role, secret, expiresAt, createdBy, false);
        t.scope = scope;
        return new Issued(t, secret);
    }

    /**
     * The first admin token of a new tenant. Runs in the caller's transaction, which must be
     * cross-tenant (the token is not the caller's tenant's).
     */
    public Issued issueFirstAdmin(String tenant, String createdBy) {
        String secret = newSecret();
        ApiToken t = build("admin", Role.ADMIN.wireName(), secret, null, createdBy, false);
        t.tenant = tenant;
        t.persist();
        return new Issued(t, secret);
    }

    ApiToken store(String name, String role, String secret, Instant expiresAt, String createdBy, boolean bootstrap) {
        ApiToken t = build(name, role, secret, expiresAt, createdBy, bootstrap);
        t.persist();
        return t;
    }

    private ApiToken build(String name, String role, String secret, Instant expiresAt, String createdBy, boolean bootstrap) {
        ApiToken t = new ApiToken();
        t.id = UUID.randomUUID();
        t.name = name;
        t.role = role;
        t.tokenHash = hash(secret);
        t.hint = secret.substring(0, Math.min(8, secret.length()));
        t.createdAt = clock.instant();
        t.createdBy = createdBy;
        t.expiresAt = expiresAt;
        t.bootstrap = bootstrap;
        return t;
    }

    @Transactional
    public Optional<Caller> authenticate(String secret) {
        Instant now = clock.instant();
        return ApiToken.findByHash(hash(secret))
                .filter(t -> t.isActive(now))
                .map(t -> new Caller(t.id, t.tenant, t.name, t.role, permissions(t), t.scope));
    }

    /**
     * Resolved at every authentication, so a changed custom role applies to its tokens' next request. A
     * role that no longer exists grants nothing.
     */
    private Set<String> permissions(ApiToken t) {
        return roles.permissions(t.tenant, t.role).orElse(Set.of());
    }

    @Transactional
    public List<ApiToken> list() {
        return ApiToken.list("order by createdAt");
    }

    @Transactional
    public ApiToken revoke(UUID id) {
        ApiToken t = ApiToken.<ApiToken>findByIdOptional(id)
                .orElseThrow(() -> DomainException.of(ErrorCode.TOKEN_NOT_FOUND, "no API token with id " + id));
        if (t.revokedAt == null) {
            t.revokedAt = clock.instant();
        }
        return t;
    }
}
