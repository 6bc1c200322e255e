package dev.modelyard.server.limits;

import dev.modelyard.server.config.ModelyardConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * The limits in force and the rate limiters that count against them. Server-wide values today;
 * each is a value ({@link Rate}, {@link UploadCaps}, {@link BodyPace}) that a tenant's settings
 * can replace once tenants exist.
 *
 * <p>Concurrency: immutable after construction except the limiters, which are thread-safe and
 * never block (see {@link RateLimiter}); every method may be called from I/O threads.
 */
@ApplicationScoped
public class Limits {

    private final UploadCaps uploadCaps;
    private final BodyPace bodyPace;
    private final long maxNonUploadBody;
    private final Rate apiPerToken;
    private final Rate apiPerAddress;
    private final Rate ddiPerDevice;
    private final Rate ddiPerAddress;
    private final RateLimiter<UUID> apiTokens;
    private final RateLimiter<String> apiAddresses;
    private final IdRateLimiter devices;
    private final RateLimiter<String> unregisteredDevices;
    private final RateLimiter<String> ddiAddresses;
    private final Counter refusedToken;
    private final Counter refusedApiAddress;
    private final Counter refusedDevice;
    private final Counter refusedDdiAddress;
    private final Counter refusedUpload;
    private final Counter slowBodies;

    public Limits(LimitsConfig config, ModelyardConfig server, MeterRegistry meters) {
        LimitsConfig.Uploads u = config.uploads();
        this.uploadCaps = new UploadCaps(u.maxConcurrent(), u.perToken(), u.perAddress(), u.retryAfter());
        this.bodyPace = new BodyPace(config.bodies().minRate().asLongValue(), config.bodies().window());
        this.maxNonUploadBody = config.bodies().maxNonUpload().asLongValue();
        this.apiPerToken = config.api().perToken().rate();
        this.apiPerAddress = config.api().perAddress().rate();
        this.ddiPerDevice = config.ddi().perDevice().rate();
        this.ddiPerAddress = config.ddi().perAddress().rate();
        int keys = config.maxTrackedKeys();
        this.apiTokens = new RateLimiter<>(keys);
        this.apiAddresses = new RateLimiter<>(keys);
        // A device's bucket is a few bytes in primitive arrays: the limiter remembers as many devices
        // as the poll cache does, so that a fleet of that size polling never makes it evict.
        this.devices = new IdRateLimiter(Math.max(keys, server.ddi().cache().maxDevices()));
        this.unregisteredDevices = new RateLimiter<>(keys);
        this.ddiAddresses = new RateLimiter<>(keys);
        this.refusedToken = refused(meters, "api_token");
        this.refusedApiAddress = refused(meters, "api_address");
        this.refusedDevice = refused(meters, "ddi_device");
        this.refusedDdiAddress = refused(meters, "ddi_address");
        this.refusedUpload = refused(meters, "uploads");
        this.slowBodies = Counter.builder("modelyard.limits.slow.bodies")
                .description("Request bodies ended for arriving slower than the minimum rate").register(meters);
    }

    /**
     * Counts one DDI request of the authenticated device {@code deviceId}. Returns 0 when allowed,
     * otherwise the seconds to send in Retry-After. Keyed by the device's id, which no two tenants
     * share: one tenant's device never throttles another's of the same controller id.
     */
    public long deviceRetryAfter(long deviceId) {
        return refusedDevice(devices.acquire(deviceId, ddiPerDevice, System.nanoTime()));
    }

    /**
     * As {@link #deviceRetryAfter(long)} for a device a gateway token speaks for that has no id
     * yet (its first poll registers it): keyed by tenant and controller id.
     */
    public long deviceRetryAfter(String tenant, String controllerId) {
        if (ddiPerDevice.off()) return 0;
        return refusedDevice(unregisteredDevices.acquire(tenant + "/" + controllerId, ddiPerDevice, System.nanoTime()));
    }

    private long refusedDevice(long wait) {
        if (wait == 0) return 0;
        refusedDevice.increment();
        return seconds(wait);
    }

    /** Like {@link #deviceRetryAfter} for the management API token {@code tokenId}. */
    long tokenRetryAfter(UUID tokenId) {
        long wait = apiTokens.acquire(tokenId, apiPerToken, System.nanoTime());
        if (wait == 0) return 0;
        refusedToken.increment();
        return seconds(wait);
    }

    Rate apiPerToken() {
        return apiPerToken;
    }

    Rate apiPerAddress() {
        return apiPerAddress;
    }

    /** Whether DDI requests are limited per client address (off by default: fleets behind NAT). */
    public boolean ddiAddressLimited() {
        return !ddiPerAddress.off();
    }

    Rate ddiPerAddress() {
        return ddiPerAddress;
    }

    RateLimiter<String> apiAddresses() {
        return apiAddresses;
    }

    RateLimiter<String> ddiAddresses() {
        return ddiAddresses;
    }

    UploadCaps uploadCaps() {
        return uploadCaps;
    }

    BodyPace bodyPace() {
        return bodyPace;
    }

    long maxNonUploadBody() {
        return maxNonUploadBody;
    }

    void refusedByAddress(boolean api) {
        (api ? refusedApiAddress : refusedDdiAddress).increment();
    }

    void refusedUpload() {
        refusedUpload.increment();
    }

    private static Counter refused(MeterRegistry meters, String limit) {
        return Counter.builder("modelyard.limits.refused").tag("limit", limit)
                .description("Requests refused with 429 by a limit").register(meters);
    }

    void slowBodyEnded() {
        slowBodies.increment();
    }

    /** Whole seconds, rounded up, at least 1: Retry-After has no fractions. */
    static long seconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    static String retryAfterSeconds(long nanos) {
        return Long.toString(seconds(nanos));
    }

    @Override
    public String toString() {
        return "uploads " + uploadCaps.total() + " at once (" + uploadCaps.perToken() + " per token, "
                + uploadCaps.perAddress() + " per address); bodies at least " + bodyPace.minBytesPerSecond()
                + " bytes/s over " + bodyPace.window() + ", non-upload bodies up to " + maxNonUploadBody
                + " bytes; API per token " + apiPerToken + ", per address " + apiPerAddress
                + "; DDI per device " + ddiPerDevice + ", per address " + ddiPerAddress;
    }
}
