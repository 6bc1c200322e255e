package dev.modelyard.testing.fleet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The serving health a simulated device reports for a model it swapped in, sent with its feedback
 * as the {@code modelyardHealth} extension (one entry per model). Model, version, the replaced
 * version, the served time and completeness come from the device's situation; these are the figures.
 *
 * @param baselineP99Ms the replaced version's p99 on this device, or 0 when there was none
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

    /** The wire form of one entry of {@code modelyardHealth}. */
    public Map<String, Object> toWire(String model, String version, String replacedVersion, long servedSeconds,
                                      boolean complete) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("version", version);
        if (replacedVersion != null) m.put("replacedVersion", replacedVersion);
        m.put("servedSeconds", servedSeconds);
        m.put("requests", requests);
        m.put("errors", errors);
        m.put("p50Ms", p50Ms);
        m.put("p99Ms", p99Ms);
        if (baselineP99Ms > 0) {
            m.put("baselineP99Ms", baselineP99Ms);
            m.put("p99Ratio", p99Ms / baselineP99Ms);
        }
        m.put("selfTest", selfTest);
        m.put("complete", complete);
        return m;
    }
}
