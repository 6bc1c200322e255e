package dev.modelyard.server.health;

/** Judges a phase's health against its gate. */
public final class HealthGates {

    private HealthGates() {
    }

    public static GateVerdict evaluate(HealthGate gate, PhaseHealth health) {
        if (health.devices() < Math.max(1, gate.minDevices()) || health.requests() < gate.minRequests()) {
            return new GateVerdict(GateVerdict.Outcome.INCONCLUSIVE, health.devices() + " devices reported "
                    + health.requests() + " requests; the gate needs " + gate.minDevices() + " devices and " + gate.minRequests() + " requests");
        }
        if (gate.maxErrorRate() != null && health.errorRate() != null && health.errorRate() > gate.maxErrorRate()) {
            return new GateVerdict(GateVerdict.Outcome.FAIL, "error rate " + health.errorRate() + " is above " + gate.maxErrorRate());
        }
        return new GateVerdict(GateVerdict.Outcome.PASS, "within bounds");
    }
}
