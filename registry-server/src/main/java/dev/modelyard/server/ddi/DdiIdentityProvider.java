package dev.modelyard.server.ddi;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.device.DeviceTokens;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.TenantDirectory;
import dev.modelyard.server.tenant.TenantRefusals;
import dev.modelyard.server.tenant.Tenants;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns DDI credentials into a device identity (role {@value #ROLE}). A device token is valid
 * only on its own device's paths; the gateway token on any controller id of its tenant. The
 * identity carries the path's tenant; a disabled or unknown tenant authenticates nobody.
 */
@ApplicationScoped
public class DdiIdentityProvider implements IdentityProvider<DdiCredentials> {

    public static final String ROLE = "device";
    /** The device's database id; absent for a gateway identity. */
    public static final String DEVICE_ID = "modelyard.ddi.device-id";
    public static final String TOKEN_HASH = "modelyard.ddi.token-hash";
    public static final String CONTROLLER_ID = "modelyard.ddi.controller-id";

    private final DeviceTokens tokens;
    private final ModelyardConfig config;
    private final TenantDirectory directory;

    public DdiIdentityProvider(DeviceTokens tokens, ModelyardConfig config, TenantDirectory directory) {
        this.tokens = tokens;
        this.directory = directory;
        this.config = config;
    }

    @Override
    public Class<DdiCredentials> getRequestType() {
        return DdiCredentials.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(DdiCredentials request, AuthenticationRequestContext context) {
        String tenant = request.tenant().toLowerCase(Locale.ROOT);
        // The common case, a cached tenant and token, is answered on the I/O thread; only a miss reads the database.
        Optional<Optional<TenantDirectory.Entry>> cachedTenant = directory.cached(tenant);
        if (cachedTenant.isEmpty()) {
            return context.runBlocking(() -> authenticate(request, tenant, directory.find(tenant), context, true)
                    .await().indefinitely());
        }
        return authenticate(request, tenant, cachedTenant.get(), context, false);
    }

    private Uni<SecurityIdentity> authenticate(DdiCredentials request, String tenant, Optional<TenantDirectory.Entry> entry,
                                               AuthenticationRequestContext context, boolean blocking) {
        try {
            TenantDirectory.Entry t = entry.orElseThrow(() -> new AuthenticationFailedException("unknown tenant"));
            if (!t.enabled()) throw TenantRefusals.disabled(tenant);
            if (request.scheme() == DdiCredentials.Scheme.GATEWAY_TOKEN) {
                return Uni.createFrom().item(gateway(request, t));
            }
            String hash = DeviceTokens.hash(request.token());
            Optional<DeviceTokens.DeviceKey> cached = tokens.cached(tenant, hash);
            if (cached.isPresent()) return Uni.createFrom().item(identity(cached.get(), tenant, hash, request.controllerId()));
            if (blocking) {
                return Uni.createFrom().item(identity(tokens.lookup(tenant, hash)
                        .orElseThrow(() -> new AuthenticationFailedException("unknown device token")), tenant, hash, request.controllerId()));
            }
            return context.runBlocking(() -> identity(tokens.lookup(tenant, hash)
                    .orElseThrow(() -> new AuthenticationFailedException("unknown device token")), tenant, hash, request.controllerId()));
        } catch (AuthenticationFailedException e) {
            return Uni.createFrom().failure(e);
        }
    }

    /** The tenant's gateway token: the one in its settings or, for the default tenant, the configured one. */
    private SecurityIdentity gateway(DdiCredentials request, TenantDirectory.Entry tenant) {
        String configured = Tenants.DEFAULT.equals(tenant.id()) ? config.ddi().gatewayToken().orElse(null) : null;
        boolean matchesConfigured = configured != null && !configured.isBlank() && MessageDigest.isEqual(
                configured.getBytes(StandardCharsets.UTF_8), request.token().getBytes(StandardCharsets.UTF_8));
        if (!matchesConfigured && !tenant.acceptsGatewayToken(request.token())) {
            throw new AuthenticationFailedException("bad gateway token");
        }
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("gateway:" + request.controllerId()))
                .addRole(ROLE)
                .addAttribute(CONTROLLER_ID, request.controllerId())
                .addAttribute(TenantContext.ATTRIBUTE, tenant.id())
                .build();
    }

    private static SecurityIdentity identity(DeviceTokens.DeviceKey k, String tenant, String hash, String controllerId) {
        // A device token works only on its own device's paths, so never under another tenant's.
        if (!k.tenant().equals(tenant) || !k.controllerId().equals(controllerId)) {
            throw new AuthenticationFailedException("the token is another device's");
        }
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("device:" + k.controllerId()))
                .addRole(ROLE)
                .addAttribute(DEVICE_ID, k.id())
                .addAttribute(TOKEN_HASH, hash)
                .addAttribute(CONTROLLER_ID, k.controllerId())
                .addAttribute(TenantContext.ATTRIBUTE, k.tenant())
                .build();
    }
}
