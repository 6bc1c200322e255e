package dev.modelyard.server.ddi;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * A DDI request's credentials: the scheme ({@code TargetToken} or {@code GatewayToken}), the
 * token, and the tenant and controller id from the path it was presented on.
 */
public class DdiCredentials extends BaseAuthenticationRequest {

    public enum Scheme { TARGET_TOKEN, GATEWAY_TOKEN }

    private final Scheme scheme;
    private final String token;
    private final String tenant;
    private final String controllerId;

    public DdiCredentials(Scheme scheme, String token, String tenant, String controllerId) {
        this.scheme = scheme;
        this.token = token;
        this.tenant = tenant;
        this.controllerId = controllerId;
    }

    public Scheme scheme() {
        return scheme;
    }

    public String token() {
        return token;
    }

    public String tenant() {
        return tenant;
    }

    public String controllerId() {
        return controllerId;
    }
}
