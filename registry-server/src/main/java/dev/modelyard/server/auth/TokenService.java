package dev.modelyard.server.auth;

import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.ProblemCode;
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

    public TokenService(Clock clock) {
        this.clock = clock;
    }

    /** A token that was just issued: the only moment its secret is known. */
    public record Issued(ApiToken token, String secret) {
    }

    /** Who a valid token belongs to. */
    public record Caller(UUID tokenId, String tenant, String name, Role role) {
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
    public Issued issue(String name, Role role, Instant expiresAt, String createdBy) {
        Names.require("name", name);
        if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
            throw ApiException.field(ProblemCode.INVALID_FIELD, "expiresAt", "expiresAt: must be in the future");
        }
        String secret = newSecret();
        ApiToken t = store(name, role, secret, expiresAt, createdBy, false);
        return new Issued(t, secret);
    }

    /**
     * The first admin token of a new tenant. Runs in the caller's transaction, which must be
     * cross-tenant (the token is not the caller's tenant's).
     */
    public Issued issueFirstAdmin(String tenant, String createdBy) {
        String secret = newSecret();
        ApiToken t = build("admin", Role.ADMIN, secret, null, createdBy, false);
        t.tenant = tenant;
        t.persist();
        return new Issued(t, secret);
    }

    ApiToken store(String name, Role role, String secret, Instant expiresAt, String createdBy, boolean bootstrap) {
        ApiToken t = build(name, role, secret, expiresAt, createdBy, bootstrap);
        t.persist();
        return t;
    }

    private ApiToken build(String name, Role role, String secret, Instant expiresAt, String createdBy, boolean bootstrap) {
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
                .map(t -> new Caller(t.id, t.tenant, t.name, t.role));
    }

    @Transactional
    public List<ApiToken> list() {
        return ApiToken.list("order by createdAt");
    }

    @Transactional
    public ApiToken revoke(UUID id) {
        ApiToken t = ApiToken.<ApiToken>findByIdOptional(id)
                .orElseThrow(() -> ApiException.of(ProblemCode.TOKEN_NOT_FOUND, "no API token with id " + id));
        if (t.revokedAt == null) {
            t.revokedAt = clock.instant();
        }
        return t;
    }
}
