package dev.modelyard.wire.trust;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What the device expects of a release before it downloads anything: it asked for this tenant
 * and model, it is this device, it has this release installed, and it accepts this much data.
 *
 * @param installedReleaseCounter the installed release's counter, or null when none is installed
 * @param rollbackAuthorization   a rollback envelope allowing a lower counter, or null
 * @param clock                   the device's clock
 * @param allowedSkew             tolerated clock difference for expiry and issue times
 * @param maxDownloadBytes        the largest artifact the device will accept
 */
public record Expectations(String tenant, String model, DeviceFacts device, Long installedReleaseCounter,
                           SignedEnvelope rollbackAuthorization, Clock clock, Duration allowedSkew,
                           long maxDownloadBytes) {

    public Expectations {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(allowedSkew, "allowedSkew");
        if (allowedSkew.isNegative()) throw new IllegalArgumentException("allowedSkew: must not be negative");
        if (maxDownloadBytes < 0) throw new IllegalArgumentException("maxDownloadBytes: must not be negative");
    }

    /** The same expectations with another installed counter and rollback authorization. */
    public Expectations withInstalled(Long releaseCounter, SignedEnvelope authorization) {
        return new Expectations(tenant, model, device, releaseCounter, authorization, clock, allowedSkew, maxDownloadBytes);
    }
}
