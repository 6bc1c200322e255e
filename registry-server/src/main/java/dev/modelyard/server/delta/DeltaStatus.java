package dev.modelyard.server.delta;

import java.util.Locale;

/** Where a delta is in its life; see V19 for the rules. */
public enum DeltaStatus {
    /** Waiting for a builder. */
    PENDING,
    /** A builder holds it until its lease runs out. */
    BUILDING,
    /** Built and small enough: offered to devices. */
    READY,
    /** Built but not small enough to be worth offering; kept so it is not built again. */
    USELESS,
    /** Could not be built after its attempts; {@code error} says why. */
    FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status named on the wire (any case); null when none matches. */
    public static DeltaStatus parse(String s) {
        for (DeltaStatus v : values()) if (v.name().equalsIgnoreCase(s)) return v;
        return null;
    }
}
