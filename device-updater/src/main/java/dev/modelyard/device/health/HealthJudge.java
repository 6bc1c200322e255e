package dev.modelyard.device.health;

import dev.modelyard.device.runtime.ModelRuntime;
import java.time.Duration;
import java.util.Locale;

/** Judges a version in its health window from its serving statistics; no state, no clock of its own. */
public final class HealthJudge {

    private HealthJudge() {
    }

    /** The replaced version's latency, measured just before the swap; zero samples when nothing was served before. */
    public record Baseline(String version, long p99Nanos, int latencySamples) {

        public static Baseline of(ModelRuntime.Stats s) {
            return new Baseline(s.version(), s.p99Nanos(), s.latencySamples());
        }
    }

    /** {@code watched}: how long the version has served in its window so far. */
    public static Verdict judge(HealthPolicy policy, Baseline before, ModelRuntime.Stats now, Duration watched) {
        boolean judgeable = now.requests() >= policy.minRequests();
        if (judgeable && now.errorRate() > policy.maxErrorRate()) {
            // Failing requests hurt now: no reason to wait for the end of the window.
            return Verdict.failed(String.format(Locale.ROOT, "error rate %.2f > %s in health window (%d of %d requests failed)",
                    now.errorRate(), policy.maxErrorRate(), now.errors(), now.requests()));
        }
        if (watched.compareTo(policy.window()) < 0) return Verdict.WATCHING;
        if (!judgeable) {
            return Verdict.healthy("too few requests to judge in the health window (" + now.requests() + " < "
                    + policy.minRequests() + "); accepted");
        }
        boolean latencyJudgeable = before != null && before.latencySamples() >= policy.minRequests()
                && now.latencySamples() >= policy.minRequests() && before.p99Nanos() > 0;
        if (latencyJudgeable && now.p99Nanos() > policy.maxP99Factor() * before.p99Nanos()) {
            return Verdict.failed(String.format(Locale.ROOT, "p99 %.1f ms > %s × %.1f ms (p99 of %s) in health window",
                    millis(now.p99Nanos()), policy.maxP99Factor(), millis(before.p99Nanos()), before.version()));
        }
        return Verdict.healthy(String.format(Locale.ROOT, "healthy for %d s: %d requests, error rate %.3f, p99 %.1f ms",
                policy.window().toSeconds(), now.requests(), now.errorRate(), millis(now.p99Nanos())));
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
