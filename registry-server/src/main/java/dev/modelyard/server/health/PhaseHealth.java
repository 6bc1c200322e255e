package dev.modelyard.server.health;

/**
 * The serving health a set of devices (a rollout phase) reported for the version they were given.
 *
 * @param devices         devices that reported
 * @param requests        requests served in all
 * @param errors          failed requests in all
 * @param errorRate       errors / requests; null with no requests
 * @param p50Ms           median over devices of their p50 latency; null when none reported one
 * @param p99Ms           median over devices of their p99 latency; null when none reported one
 * @param p99Ratio        median over devices of p99 / the replaced version's p99; null when none could compare
 * @param selfTestPassed  devices whose self-test passed
 * @param selfTestFailed  devices whose self-test failed
 */
public record PhaseHealth(int devices, long requests, long errors, Double errorRate, Double p50Ms, Double p99Ms,
                          Double p99Ratio, int selfTestPassed, int selfTestFailed) {

    public static final PhaseHealth NONE = new PhaseHealth(0, 0, 0, null, null, null, null, 0, 0);
}
