package dev.modelyard.server.health;

/** A health gate's judgement of a phase, with the reason in words for the rollout's history. */
public record GateVerdict(Outcome outcome, String reason) {

    public enum Outcome {
        /** Every bound holds with enough data. */
        PASS,
        /** A bound is broken (with enough data to say so). */
        FAIL,
        /** Not enough data yet. */
        INCONCLUSIVE
    }
}
