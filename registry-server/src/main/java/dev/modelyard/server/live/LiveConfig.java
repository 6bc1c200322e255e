package dev.modelyard.server.live;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Limits of the live event stream ({@code GET /api/v1/events}). */
@ConfigMapping(prefix = "modelyard.live")
public interface LiveConfig {

    /** Open streams one API token may hold (a console tab holds one). */
    @WithDefault("5")
    int maxStreamsPerToken();

    /** Open streams the tokens of one tenant may hold on this replica, so no tenant takes every slot. */
    @WithDefault("200")
    int maxStreamsPerTenant();

    /** Open streams this replica serves in all. */
    @WithDefault("1000")
    int maxStreams();

    /** Events on their way to one client; a reader further behind has its stream ended. */
    @WithDefault("64")
    int buffer();

    /** Events with the same topic and id within this window are sent once (the last). */
    @WithDefault("PT0.25S")
    Duration coalesce();

    /** A comment line this often keeps proxies from closing an idle stream. */
    @WithDefault("PT15S")
    Duration heartbeat();

    /** How often the streams' tokens and tenants are checked (revoked, expired, disabled ends the stream). */
    @WithDefault("PT5S")
    Duration checkInterval();

    /** What a refused stream is told to wait (Retry-After). */
    @WithDefault("PT30S")
    Duration retryAfter();
}
