package dev.modelyard.device.health;

import java.time.Duration;

/**
 * When a freshly swapped-in version counts as healthy. For {@code window} after the swap the
 * device watches it; once it has served {@code minRequests}, an error rate above
 * {@code maxErrorRate} fails it at once, and at the end of the window so does a p99 latency
 * above {@code maxP99Factor} times the p99 of the version it replaced. A zero window turns the
 * watch off: a version that passed warm-up and self-test is accepted as it is swapped in.
 *
 * <p>A restart of the updater during the window resumes the window as long as the action has
 * seen at most {@code maxRestarts} restarts; one more, and the new versions count as the cause
 * of a crash loop: they are reverted before anything is loaded. Restarts during the swap itself
 * (warm-up, self-test) count against the same limit, with the window on or off.
 *
 * <p>Every {@code reportInterval} of the window the device tells the server how the new versions
 * serve so far (a {@code proceeding} feedback with the figures), so that a rollout can judge a
 * phase before its devices close their actions.
 */
public record HealthPolicy(Duration window, double maxErrorRate, double maxP99Factor, long minRequests, int maxRestarts,
                           Duration reportInterval) {

    public static final int DEFAULT_MAX_RESTARTS = 1;
    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofSeconds(30);
    public static final HealthPolicy DEFAULT = new HealthPolicy(Duration.ofSeconds(60), 0.05, 3.0, 20);
    public static final HealthPolicy OFF = new HealthPolicy(Duration.ZERO, 0.05, 3.0, 20);

    public HealthPolicy(Duration window, double maxErrorRate, double maxP99Factor, long minRequests) {
        this(window, maxErrorRate, maxP99Factor, minRequests, DEFAULT_MAX_RESTARTS);
    }

    public HealthPolicy(Duration window, double maxErrorRate, double maxP99Factor, long minRequests, int maxRestarts) {
        this(window, maxErrorRate, maxP99Factor, minRequests, maxRestarts, DEFAULT_REPORT_INTERVAL);
    }

    public HealthPolicy {
        if (window.isNegative()) throw new IllegalArgumentException("health.window must not be negative");
        if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) throw new IllegalArgumentException("health.max.error.rate must be in [0, 1]");
        if (!(maxP99Factor >= 1)) throw new IllegalArgumentException("health.max.p99.factor must be at least 1");
        if (minRequests < 1) throw new IllegalArgumentException("health.min.requests must be at least 1");
        if (maxRestarts < 0) throw new IllegalArgumentException("health.max.restarts must not be negative");
        if (reportInterval == null || reportInterval.isNegative() || reportInterval.isZero()) {
            throw new IllegalArgumentException("health.report.interval must be positive");
        }
    }

    public boolean enabled() {
        return !window.isZero();
    }
}
