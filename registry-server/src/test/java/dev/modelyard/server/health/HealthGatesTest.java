package dev.modelyard.server.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.health.GateVerdict.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The health gate, as a table: gate × phase health → verdict and the words its reason must hold. */
class HealthGatesTest {

    /** maxErrorRate, maxP99Ratio, maxP99Ms, requireSelfTest, minDevices, minRequests ("-" is no bound). */
    static HealthGate gate(String spec) {
        String[] p = spec.split(",");
        return new HealthGate(bound(p[0]), bound(p[1]), bound(p[2]), Boolean.parseBoolean(p[3]), Integer.parseInt(p[4]),
                Long.parseLong(p[5]), Duration.ofMinutes(10));
    }

    /** devices, requests, errors, p50Ms, p99Ms, p99Ratio, selfTestPassed, selfTestFailed ("-" is none reported). */
    static PhaseHealth health(String spec) {
        String[] p = spec.split(",");
        long requests = Long.parseLong(p[1]);
        long errors = Long.parseLong(p[2]);
        return new PhaseHealth(Integer.parseInt(p[0]), requests, errors, requests == 0 ? null : (double) errors / requests,
                bound(p[3]), bound(p[4]), bound(p[5]), Integer.parseInt(p[6]), Integer.parseInt(p[7]));
    }

    private static Double bound(String s) {
        return s.equals("-") ? null : Double.valueOf(s);
    }

    static final String ALL_BOUNDS = "0.01,1.2,50,false,3,100";

    static Stream<Arguments> table() {
        return Stream.of(
                // gate, health, verdict, words the reason must contain
                Arguments.of(ALL_BOUNDS, "3,1000,5,4,20,1.1,3,0", Outcome.PASS, "within bounds: 3 devices, 1000 requests"),
                // a figure equal to its bound holds it
                Arguments.of(ALL_BOUNDS, "3,1000,10,4,50,1.2,3,0", Outcome.PASS, "errorRate 0.01"),
                // each bound broken on its own, named with figure and bound
                Arguments.of(ALL_BOUNDS, "3,1000,11,4,20,1.1,3,0", Outcome.FAIL, "errorRate 0.011 is above maxErrorRate 0.01"),
                Arguments.of(ALL_BOUNDS, "3,1000,5,4,51.5,1.1,3,0", Outcome.FAIL, "p99Ms 51.5 is above maxP99Ms 50"),
                Arguments.of(ALL_BOUNDS, "3,1000,5,4,20,1.25,3,0", Outcome.FAIL, "p99Ratio 1.25 is above maxP99Ratio 1.2"),
                // several broken: all named
                Arguments.of(ALL_BOUNDS, "3,1000,500,4,90,3,3,0", Outcome.FAIL, "errorRate 0.5 is above maxErrorRate 0.01; "
                        + "p99Ms 90 is above maxP99Ms 50; p99Ratio 3 is above maxP99Ratio 1.2"),
                // too few devices or requests: nothing judged, even with broken figures
                Arguments.of(ALL_BOUNDS, "2,1000,500,4,90,3,2,0", Outcome.INCONCLUSIVE, "2 devices reported 1000 requests; the gate needs 3 devices and 100 requests"),
                Arguments.of(ALL_BOUNDS, "3,99,50,4,90,3,3,0", Outcome.INCONCLUSIVE, "3 devices reported 99 requests"),
                Arguments.of(ALL_BOUNDS, "0,0,0,-,-,-,0,0", Outcome.INCONCLUSIVE, "0 devices reported 0 requests"),
                // minDevices 0 still needs one device to say anything
                Arguments.of("0.01,-,-,false,0,0", "0,0,0,-,-,-,0,0", Outcome.INCONCLUSIVE, "the gate needs 1 devices"),
                // a bound whose figure nobody reported: inconclusive (first installs have no p99 ratio) ...
                Arguments.of(ALL_BOUNDS, "3,1000,5,4,20,-,3,0", Outcome.INCONCLUSIVE, "no device reported p99Ratio (maxP99Ratio 1.2)"),
                Arguments.of("0.01,-,-,false,1,0", "1,0,0,-,-,-,1,0", Outcome.INCONCLUSIVE, "no device reported errorRate"),
                // ... unless a known figure already breaks its bound
                Arguments.of(ALL_BOUNDS, "3,1000,50,4,20,-,3,0", Outcome.FAIL, "errorRate 0.05 is above maxErrorRate 0.01"),
                // no bounds: enough data passes
                Arguments.of("-,-,-,false,1,0", "1,0,0,-,-,-,0,0", Outcome.PASS, "within bounds"),
                // the self-test: a failure fails a gate that requires it, even before there is enough data
                Arguments.of("-,-,-,true,10,1000", "2,10,0,1,2,-,1,1", Outcome.FAIL, "selfTest failed on 1 of 2 devices"),
                Arguments.of("-,-,-,true,2,10", "2,10,0,1,2,-,1,1", Outcome.FAIL, "selfTest failed on 1 of 2 devices"),
                // devices that ran no self-test do not satisfy a gate that requires one
                Arguments.of("-,-,-,true,2,10", "3,100,0,1,2,-,2,0", Outcome.FAIL, "1 of 3 devices ran no selfTest"),
                Arguments.of("-,-,-,true,2,10", "3,100,0,1,2,-,3,0", Outcome.PASS, "within bounds"),
                // not required: failures are only counted
                Arguments.of("-,-,-,false,2,10", "3,100,0,1,2,-,1,2", Outcome.PASS, "within bounds"));
    }

    @ParameterizedTest(name = "{0} | {1} -> {2}")
    @MethodSource("table")
    void verdict(String gate, String health, Outcome expected, String reason) {
        GateVerdict v = HealthGates.evaluate(gate(gate), health(health));
        assertEquals(expected, v.outcome(), v.reason());
        assertTrue(v.reason().contains(reason), "'" + v.reason() + "' should contain '" + reason + "'");
    }

    @Test
    void gateBoundsAreChecked() {
        assertEquals(List.of(), HealthGates.problems(gate(ALL_BOUNDS)));
        assertEquals(List.of("maxErrorRate: must be between 0 and 1"), HealthGates.problems(gate("1.5,-,-,false,0,0")));
        assertEquals(List.of("maxP99Ratio: must be a finite, non-negative number", "minDevices: must not be negative"),
                HealthGates.problems(gate("-,NaN,-,false,-1,0")));
        assertEquals(List.of("maxP99Ms: must be a finite, non-negative number", "minRequests: must not be negative"),
                HealthGates.problems(gate("-,-,-5,false,0,-1")));
    }
}
