package dev.modelyard.server.health;

import java.time.Duration;

/**
 * What a rollout phase requires of the serving health its devices report before the next phase
 * starts. Null bounds are not checked.
 *
 * @param maxErrorRate    failed requests / requests over the phase's devices, e.g. 0.01
 * @param maxP99Ratio     the devices' p99 latency over that of the version each replaced (median over devices)
 * @param maxP99Ms        p99 latency in milliseconds (median over devices)
 * @param requireSelfTest every reporting device passed the version's self-test
 * @param minDevices      devices that must have reported before the gate can pass or fail
 * @param minRequests     requests the reporting devices must have served in all
 * @param timeout         how long after the phase's bake time the gate waits for enough data before it is inconclusive
 */
public record HealthGate(Double maxErrorRate, Double maxP99Ratio, Double maxP99Ms, boolean requireSelfTest, int minDevices,
                         long minRequests, Duration timeout) {
}
