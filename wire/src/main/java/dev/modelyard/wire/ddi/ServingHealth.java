package dev.modelyard.wire.ddi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How one model version serves on a device since it was swapped in: a Modelyard extension of
 * the DDI feedback body ({@code "modelyardHealth"}). The updater sends it while it watches the new
 * version's health and once more, {@code complete}, when it closes the action. Stock hawkBit
 * clients never send it.
 *
 * @param model           the model's name
 * @param version         the version the figures describe (after an automatic rollback: the failed one)
 * @param replacedVersion the version it replaced; null on a first install
 * @param servedSeconds   seconds of the health window so far
 * @param requests        inference requests served by this version
 * @param errors          requests that failed
 * @param p50Ms           median latency in milliseconds; null before the first request
 * @param p99Ms           99th percentile latency in milliseconds; null before the first request
 * @param baselineP99Ms   the replaced version's p99 before the swap; null when unknown
 * @param p99Ratio        {@code p99Ms / baselineP99Ms}; null when either is unknown
 * @param selfTest        {@code passed}, {@code failed} or {@code none} (the version has no self-test)
 * @param complete        true in the closing report: the figures are final
 */
public record ServingHealth(String model, String version, String replacedVersion, long servedSeconds, long requests,
                            long errors, Double p50Ms, Double p99Ms, Double baselineP99Ms, Double p99Ratio,
                            String selfTest, boolean complete) {

    /** The outcome of the version's self-test before the swap. */
    public enum SelfTest {
        PASSED, FAILED, NONE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Case-insensitive; a missing value is {@link #NONE}; throws {@link IllegalArgumentException} for anything else. */
        public static SelfTest parse(String text) {
            if (text == null) return NONE;
            for (SelfTest s : values()) {
                if (s.wireName().equalsIgnoreCase(text.strip())) return s;
            }
            throw new IllegalArgumentException("modelyardHealth.selfTest: '" + text + "' is not one of passed, failed, none");
        }
    }

    /** The ratio of two latencies, or null when either is unknown or the baseline is not positive. */
    public static Double ratio(Double p99Ms, Double baselineP99Ms) {
        if (p99Ms == null || baselineP99Ms == null || baselineP99Ms <= 0) return null;
        return p99Ms / baselineP99Ms;
    }

    /**
     * What is wrong with these figures, in words that name the field; empty when they are sound.
     * A receiver refuses a report with problems rather than storing figures nobody can trust.
     */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        if (model == null || model.isBlank()) out.add("modelyardHealth.model: is required");
        if (version == null || version.isBlank()) out.add("modelyardHealth.version: is required");
        if (servedSeconds < 0) out.add("modelyardHealth.servedSeconds: must not be negative");
        if (requests < 0) out.add("modelyardHealth.requests: must not be negative");
        if (errors < 0) out.add("modelyardHealth.errors: must not be negative");
        if (errors > requests) out.add("modelyardHealth.errors: " + errors + " is more than the " + requests + " requests");
        latency("p50Ms", p50Ms, out);
        latency("p99Ms", p99Ms, out);
        latency("baselineP99Ms", baselineP99Ms, out);
        latency("p99Ratio", p99Ratio, out);
        if (p50Ms != null && p99Ms != null && p50Ms > p99Ms) out.add("modelyardHealth.p50Ms: " + p50Ms + " is above p99Ms " + p99Ms);
        try {
            SelfTest.parse(selfTest);
        } catch (IllegalArgumentException e) {
            out.add(e.getMessage());
        }
        return out;
    }

    private static void latency(String field, Double value, List<String> out) {
        if (value != null && (value.isNaN() || value.isInfinite() || value < 0)) {
            out.add("modelyardHealth." + field + ": " + value + " is not a finite, non-negative number");
        }
    }
}
