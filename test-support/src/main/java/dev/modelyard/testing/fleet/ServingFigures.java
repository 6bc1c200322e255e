package dev.modelyard.testing.fleet;

import dev.modelyard.wire.ddi.ServingHealth;

/**
 * The serving health a simulated device reports for a model it swapped in, sent with its feedback
 * as the {@code modelyardHealth} extension (one entry per model). Model, version, the replaced
 * version, the served time and completeness come from the device's situation; these are the figures.
 *
 * @param baselineP99Ms the replaced version's p99 on this device, or 0 when there was none
 * @param selfTest      whether the version's self-test passed on the device
 */
public record ServingFigures(long requests, long errors, double p50Ms, double p99Ms, double baselineP99Ms,
                             boolean selfTest) {

    /** A model that serves as well as the one it replaced. */
    public static ServingFigures good() {
        return new ServingFigures(1000, 0, 4.0, 12.0, 12.0, true);
    }

    /** A model that fails {@code errorRate} of its requests (e.g. 0.2) but is otherwise fine. */
    public static ServingFigures erroring(double errorRate) {
        return new ServingFigures(1000, Math.round(1000 * errorRate), 4.0, 12.0, 12.0, true);
    }

    /** A model {@code factor} times slower at p99 than the one it replaced. */
    public static ServingFigures slow(double factor) {
        return new ServingFigures(1000, 0, 4.0 * factor, 12.0 * factor, 12.0, true);
    }

    /** One entry of {@code modelyardHealth}: these figures for a model version on a device. */
    public ServingHealth toWire(String model, String version, String replacedVersion, long servedSeconds, boolean complete) {
        Double baseline = baselineP99Ms > 0 ? baselineP99Ms : null;
        return new ServingHealth(model, version, replacedVersion, servedSeconds, requests, errors, p50Ms, p99Ms, baseline,
                ServingHealth.ratio(p99Ms, baseline),
                (selfTest ? ServingHealth.SelfTest.PASSED : ServingHealth.SelfTest.FAILED).wireName(), complete);
    }
}
