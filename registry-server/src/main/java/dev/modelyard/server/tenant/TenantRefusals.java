package dev.modelyard.server.tenant;

import dev.modelyard.server.error.ErrorCode;
import io.quarkus.security.AuthenticationFailedException;
import java.util.Map;

/**
 * Valid credentials of a disabled tenant are refused like bad ones (401), but marked so the error
 * body can say why: its data is kept, and enabling the tenant again lets them in.
 */
public final class TenantRefusals {

    private TenantRefusals() {
    }

    public static AuthenticationFailedException disabled(String tenant) {
        return new AuthenticationFailedException("tenant '" + tenant + "' is disabled", Map.of(ErrorCode.AUTHENTICATION_ATTRIBUTE, ErrorCode.TENANT_DISABLED));
    }

    public static boolean isDisabled(Throwable e) {
        return e instanceof AuthenticationFailedException a && a.getAttribute(ErrorCode.AUTHENTICATION_ATTRIBUTE) == ErrorCode.TENANT_DISABLED;
    }
}
