package dev.modelyard.testing.fleet;

import java.time.Duration;
import java.util.Objects;

/**
 * How a simulated device behaves. Start from {@link #healthy()} and change what a test needs with
 * the {@code with…} methods.
 *
 * @param pollInterval            fixed time between polls, or null to honour the server's {@code sleep}
 * @param failureRate             share of actions the device closes with failure (0 never, 1 always);
 *                                which ones is decided by the device id and action id, so a run repeats
 * @param failureReason           the detail sent with a failure
 * @param failingVersion          only actions of this version fail (a bad release); null: any version
 * @param healthWindow            how long the device serves the new model, reporting {@code proceeding},
 *                                before it closes with success; zero closes at once
 * @param health                  serving figures reported as the {@code modelyardHealth} extension, or null for none
 * @param latency                 delay added before each request (a slow network)
 * @param offline                 never polls
 * @param joinAfter               the first poll waits this long after {@link FleetSimulator#start()} (a late joiner)
 * @param downloadBytes           {@link #FULL} downloads every payload and verifies its SHA-256; a positive
 *                                number fetches only that many first bytes (Range); 0 downloads nothing
 * @param honourMaintenanceWindow waits while the deployment says {@code maintenanceWindow: unavailable}
 */
public record Behavior(Duration pollInterval, double failureRate, String failureReason, String failingVersion,
                       Duration healthWindow,
                       ServingFigures health, Duration latency, boolean offline, Duration joinAfter,
                       long downloadBytes, boolean honourMaintenanceWindow) {

    public static final long FULL = -1;

    public Behavior {
        if (failureRate < 0 || failureRate > 1) throw new IllegalArgumentException("failureRate must be within 0..1");
        Objects.requireNonNull(failureReason, "failureReason");
        Objects.requireNonNull(healthWindow, "healthWindow");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(joinAfter, "joinAfter");
    }

    /** Polls every second, downloads fully, installs and closes with success at once, reports good health. */
    public static Behavior healthy() {
        return new Behavior(Duration.ofSeconds(1), 0, "simulated installation failure", null, Duration.ZERO,
                ServingFigures.good(), Duration.ZERO, false, Duration.ZERO, FULL, true);
    }

    public Behavior withPollInterval(Duration interval) {
        return new Behavior(Objects.requireNonNull(interval), failureRate, failureReason, failingVersion, healthWindow, health, latency,
                offline, joinAfter, downloadBytes, honourMaintenanceWindow);
    }

    /** Polls as often as the server's answer says. */
    public Behavior withServerSleep() {
        return new Behavior(null, failureRate, failureReason, failingVersion, healthWindow, health, latency, offline, joinAfter,
                downloadBytes, honourMaintenanceWindow);
    }

    public Behavior withFailures(double rate, String reason) {
        return new Behavior(pollInterval, rate, reason, null, healthWindow, health, latency, offline, joinAfter,
                downloadBytes, honourMaintenanceWindow);
    }

    /** Every action of {@code version} fails; other versions (e.g. a rollback) install fine. */
    public Behavior failingVersion(String version, String reason) {
        return new Behavior(pollInterval, 1, reason, version, healthWindow, health, latency, offline, joinAfter,
                downloadBytes, honourMaintenanceWindow);
    }

    /** Every action fails. */
    public Behavior failing(String reason) {
        return withFailures(1, reason);
    }

    public Behavior withHealthWindow(Duration window) {
        return new Behavior(pollInterval, failureRate, failureReason, failingVersion, window, health, latency, offline, joinAfter,
                downloadBytes, honourMaintenanceWindow);
    }

    public Behavior withHealth(ServingFigures figures) {
        return new Behavior(pollInterval, failureRate, failureReason, failingVersion, healthWindow, figures, latency, offline, joinAfter,
                downloadBytes, honourMaintenanceWindow);
    }

    public Behavior withLatency(Duration latency) {
        return new Behavior(pollInterval, failureRate, failureReason, failingVersion, healthWindow, health, latency, offline, joinAfter,
                downloadBytes, honourMaintenanceWindow);
    }

    public Behavior asOffline() {
        return new Behavior(pollInterval, failureRate, failureReason, failingVersion, healthWindow, health, latency, true, joinAfter,
                downloadBytes, honourMaintenanceWindow);
    }

    public Behavior joiningAfter(Duration delay) {
        return new Behavior(pollInterval, failureRate, failureReason, failingVersion, healthWindow, health, latency, offline, delay,
                downloadBytes, honourMaintenanceWindow);
    }

    /** {@link #FULL}, 0 for none, or the number of first bytes to fetch. */
    public Behavior withDownload(long bytes) {
        return new Behavior(pollInterval, failureRate, failureReason, failingVersion, healthWindow, health, latency, offline, joinAfter,
                bytes, honourMaintenanceWindow);
    }

    /** Installs even while the maintenance window is closed (a misbehaving client). */
    public Behavior ignoringMaintenanceWindows() {
        return new Behavior(pollInterval, failureRate, failureReason, failingVersion, healthWindow, health, latency, offline, joinAfter,
                downloadBytes, false);
    }
}
