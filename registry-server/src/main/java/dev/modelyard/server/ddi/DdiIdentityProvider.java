package dev.modelyard.server.ddi;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.device.DeviceTokens;
import dev.modelyard.server.model.Model;
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
import java.util.Optional;

/**
 * Turns DDI credentials into a device identity (role {@value #ROLE}). A device token is valid
 * only on its own device's paths; the gateway token on any controller id of its tenant.
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

    public DdiIdentityProvider(DeviceTokens tokens, ModelyardConfig config) {
        this.tokens = tokens;
        this.config = config;
    }

    @Override
    public Class<DdiCredentials> getRequestType() {
        return DdiCredentials.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(DdiCredentials request, AuthenticationRequestContext context) {
        if (!Model.DEFAULT_TENANT.equalsIgnoreCase(request.tenant())) {
            return Uni.createFrom().failure(new AuthenticationFailedException("unknown tenant"));
        }
        if (request.scheme() == DdiCredentials.Scheme.GATEWAY_TOKEN) {
            String expected = config.ddi().gatewayToken().orElse(null);
            if (expected == null || expected.isBlank() || !MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.UTF_8), request.token().getBytes(StandardCharsets.UTF_8))) {
                return Uni.createFrom().failure(new AuthenticationFailedException("bad gateway token"));
            }
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal("gateway:" + request.controllerId()))
                    .addRole(ROLE)
                    .addAttribute(CONTROLLER_ID, request.controllerId())
                    .build());
        }
        String hash = DeviceTokens.hash(request.token());
        // The common case, a cached token, is answered on the I/O thread; only a miss reads the database.
        Optional<DeviceTokens.DeviceKey> cached = tokens.cached(hash);
        if (cached.isPresent()) {
            try {
                return Uni.createFrom().item(identity(cached.get(), hash, request.controllerId()));
            } catch (AuthenticationFailedException e) {
                return Uni.createFrom().failure(e);
            }
        }
        return context.runBlocking(() -> identity(tokens.lookup(hash)
                .orElseThrow(() -> new AuthenticationFailedException("unknown device token")), hash, request.controllerId()));
    }

    private static SecurityIdentity identity(DeviceTokens.DeviceKey k, String hash, String controllerId) {
        if (!k.controllerId().equals(controllerId)) throw new AuthenticationFailedException("the token is another device's");
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("device:" + k.controllerId()))
                .addRole(ROLE)
                .addAttribute(DEVICE_ID, k.id())
                .addAttribute(TOKEN_HASH, hash)
                .addAttribute(CONTROLLER_ID, k.controllerId())
                .build();
    }
}
