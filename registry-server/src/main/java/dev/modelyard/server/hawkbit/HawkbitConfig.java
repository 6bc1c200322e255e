package dev.modelyard.server.hawkbit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** hawkBit Management API settings ({@code modelyard.hawkbit.*}). */
@ConfigMapping(prefix = "modelyard.hawkbit")
public interface HawkbitConfig {

    /**
     * Keep the tokens of targets created or changed through {@code /rest/v1} readable, so that
     * admins read them back as {@code securityToken} the way hawkBit scripts expect. Off by
     * default: then only the token's hash is kept, and a server-generated token is shown once, in
     * the create response. On, the tokens are stored in plain text in the database.
     */
    @WithDefault("false")
    boolean readableTargetTokens();
}
