package dev.modelyard.server.deployment;

import java.time.Duration;

/**
 * When a device may run the update step of an action: windows that open at each time the cron
 * {@code schedule} (5 fields, as crontab) names and stay open for {@code duration}, read in
 * {@code zone} (an IANA name such as {@code Europe/Berlin}), or in the zone the device reports
 * when {@code zone} is null (UTC when it reports none). Downloads are not held by the window; the
 * update step is (hawkBit's {@code maintenanceWindow: available | unavailable}).
 */
public record MaintenanceWindow(String schedule, Duration duration, String zone) {
}
