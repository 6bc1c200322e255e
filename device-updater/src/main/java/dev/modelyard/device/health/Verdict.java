package dev.modelyard.device.health;

/** What the health window says about a version so far; {@code reason} explains a pass or a failure. */
public record Verdict(State state, String reason) {

    public enum State { WATCHING, HEALTHY, FAILED }

    static final Verdict WATCHING = new Verdict(State.WATCHING, null);

    static Verdict healthy(String reason) {
        return new Verdict(State.HEALTHY, reason);
    }

    static Verdict failed(String reason) {
        return new Verdict(State.FAILED, reason);
    }
}
