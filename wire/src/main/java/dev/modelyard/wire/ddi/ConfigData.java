package dev.modelyard.wire.ddi;

import java.util.Locale;
import java.util.Map;

/**
 * The body of {@code PUT configData}: attributes the device reports about itself. {@code mode}
 * is merge (default when absent), replace or remove.
 */
public record ConfigData(Map<String, String> data, String mode) {

    public enum Mode {
        MERGE, REPLACE, REMOVE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Case-insensitive; a missing value is {@link #MERGE}, as in hawkBit. */
        public static Mode parse(String text) {
            if (text == null || text.isBlank()) return MERGE;
            for (Mode m : values()) {
                if (m.wireName().equalsIgnoreCase(text.strip())) return m;
            }
            throw new IllegalArgumentException("mode: '" + text + "' is not one of merge, replace, remove");
        }
    }
}
