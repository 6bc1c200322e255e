package dev.modelyard.server.health;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges a phase's health against its gate, as Argo Rollouts judges an analysis: pass, fail or
 * inconclusive. A pure function of the gate and the phase's summary, so a rollout can judge again
 * after a restart and reach the same verdict.
 *
 * <p>The order of the rules: a failed self-test fails a gate that requires the self-test at once
 * (one device that could not run the version is proof enough, and the device rolled back); below
 * the gate's devices or requests nothing else is judged (inconclusive); then every bound whose figure
 * is known is checked and each broken one is named in the reason (fail); a bound whose figure no
 * device reported (e.g. a p99 ratio on first installs, which replace nothing) leaves the verdict
 * inconclusive; otherwise the phase passes.
 */
public final class HealthGates {

    private HealthGates() {
    }

    public static GateVerdict evaluate(HealthGate gate, PhaseHealth health) {
        if (gate.requireSelfTest() && health.selfTestFailed() > 0) {
            return fail("selfTest failed on " + health.selfTestFailed() + " of " + health.devices()
                    + " devices; the gate requires it to pass");
        }
        int minDevices = Math.max(1, gate.minDevices());
        if (health.devices() < minDevices || health.requests() < gate.minRequests()) {
            return new GateVerdict(GateVerdict.Outcome.INCONCLUSIVE, health.devices() + " devices reported "
                    + health.requests() + " requests; the gate needs " + minDevices + " devices and "
                    + gate.minRequests() + " requests");
        }
        List<String> broken = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        bound("errorRate", health.errorRate(), "maxErrorRate", gate.maxErrorRate(), broken, unknown);
        bound("p99Ms", health.p99Ms(), "maxP99Ms", gate.maxP99Ms(), broken, unknown);
        bound("p99Ratio", health.p99Ratio(), "maxP99Ratio", gate.maxP99Ratio(), broken, unknown);
        if (gate.requireSelfTest() && health.selfTestPassed() < health.devices()) {
            broken.add((health.devices() - health.selfTestPassed()) + " of " + health.devices()
                    + " devices ran no selfTest; the gate requires it to pass");
        }
        if (!broken.isEmpty()) return fail(String.join("; ", broken));
        if (!unknown.isEmpty()) {
            return new GateVerdict(GateVerdict.Outcome.INCONCLUSIVE, "no device reported " + String.join(", ", unknown));
        }
        return new GateVerdict(GateVerdict.Outcome.PASS, "within bounds: " + health.devices() + " devices, "
                + health.requests() + " requests, errorRate " + number(health.errorRate()) + ", p99Ms "
                + number(health.p99Ms()) + ", p99Ratio " + number(health.p99Ratio()));
    }

    /** What is wrong with a gate's bounds, naming each field; empty when it can be judged. */
    public static List<String> problems(HealthGate gate) {
        List<String> out = new ArrayList<>();
        nonNegative("maxErrorRate", gate.maxErrorRate(), out);
        if (gate.maxErrorRate() != null && gate.maxErrorRate() > 1) out.add("maxErrorRate: must be between 0 and 1");
        nonNegative("maxP99Ratio", gate.maxP99Ratio(), out);
        nonNegative("maxP99Ms", gate.maxP99Ms(), out);
        if (gate.minDevices() < 0) out.add("minDevices: must not be negative");
        if (gate.minRequests() < 0) out.add("minRequests: must not be negative");
        if (gate.timeout() != null && gate.timeout().isNegative()) out.add("timeout: must not be negative");
        return out;
    }

    private static void bound(String figure, Double value, String boundName, Double max, List<String> broken,
                              List<String> unknown) {
        if (max == null) return;
        if (value == null) {
            unknown.add(figure + " (" + boundName + " " + number(max) + ")");
        } else if (value > max) {
            broken.add(figure + " " + number(value) + " is above " + boundName + " " + number(max));
        }
    }

    private static void nonNegative(String field, Double value, List<String> out) {
        if (value != null && (value.isNaN() || value.isInfinite() || value < 0)) {
            out.add(field + ": must be a finite, non-negative number");
        }
    }

    private static GateVerdict fail(String reason) {
        return new GateVerdict(GateVerdict.Outcome.FAIL, reason);
    }

    /** Six significant digits, plain (0.012345, 12.5, 1.2): enough to tell a figure from the bound it broke. */
    static String number(Double value) {
        if (value == null) return "none";
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
