package dev.modelyard.server.auth;

import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.tenant.Tenants;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Makes sure an administrator can get in on first start, with no default password: the admin
 * token comes from {@code MODELYARD_ADMIN_TOKEN}, or a random one is generated and printed once.
 * It is a system-admin token: the one credential that exists before any tenant has an admin.
 */
@ApplicationScoped
public class AdminTokenBootstrap {

    private static final Logger LOG = Logger.getLogger(AdminTokenBootstrap.class);
    static final int MIN_LENGTH = 24;
    private static final String NAME = "bootstrap-admin";
    // Any constant works: it only serialises bootstrap between replicas starting together.
    private static final long ADVISORY_LOCK = 0x6d6f64656c796172L;

    private final ModelyardConfig config;
    private final TokenService tokens;
    private final EntityManager em;
    private final TenantContext tenants;

    public AdminTokenBootstrap(ModelyardConfig config, TokenService tokens, EntityManager em, TenantContext tenants) {
        this.tenants = tenants;
        this.config = config;
        this.tokens = tokens;
        this.em = em;
    }

    void onStart(@Observes StartupEvent event) {
        // The bootstrap token administers the default tenant, the one a single-team install uses.
        tenants.runAs(Tenants.DEFAULT, () -> QuarkusTransaction.requiringNew().run(this::bootstrap));
    }

    private void bootstrap() {
        em.createNativeQuery("SELECT pg_advisory_xact_lock(?1)").setParameter(1, ADVISORY_LOCK).getSingleResult();
        config.adminToken().ifPresentOrElse(this::adopt, this::generateIfNoAdmin);
    }

    private void adopt(String secret) {
        if (secret.length() < MIN_LENGTH) {
            throw new IllegalStateException("MODELYARD_ADMIN_TOKEN is shorter than " + MIN_LENGTH
                    + " characters; use a random value, e.g. from 'openssl rand -hex 32'");
        }
        String hash = TokenService.hash(secret);
        if (ApiToken.findByHash(hash).isPresent()) {
            return;
        }
        // A changed MODELYARD_ADMIN_TOKEN replaces the previous bootstrap token.
        ApiToken.delete("bootstrap = true");
        tokens.store(NAME, Role.SYSTEM_ADMIN.wireName(), secret, null, "bootstrap", true);
        LOG.info("admin API token taken from MODELYARD_ADMIN_TOKEN");
    }

    private void generateIfNoAdmin() {
        long admins = ApiToken.count("role in ?1 and revokedAt is null", List.of(Role.ADMIN.wireName(), Role.SYSTEM_ADMIN.wireName()));
        if (admins > 0) {
            return;
        }
        String secret = TokenService.newSecret();
        tokens.store(NAME, Role.SYSTEM_ADMIN.wireName(), secret, null, "bootstrap", true);
        String banner = "\n================================================================\n"
                + " No admin API token existed, so one was generated. It is shown\n"
                + " only this once; store it now:\n\n    " + secret + "\n\n"
                + " Use it as 'Authorization: Bearer <token>'. Set MODELYARD_ADMIN_TOKEN\n"
                + " to choose your own instead.\n"
                + "================================================================";
        if (LaunchMode.current() == LaunchMode.TEST) {
            LOG.info("generated an admin API token for the test run");
        } else {
            LOG.warn(banner);
        }
    }
}
