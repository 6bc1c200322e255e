package dev.modelyard.server.rollout;

import jakarta.persistence.AttributeConverter;
import java.util.Locale;

/** Where a phase stands. The wire name is also what the database stores. */
public enum PhaseState {
    PENDING, WAITING_FOR_APPROVAL, RUNNING, BAKING, PASSED, FAILED, CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    boolean isOver() {
        return this == PASSED || this == FAILED || this == CANCELLED;
    }

    @jakarta.persistence.Converter
    static class Converter implements AttributeConverter<PhaseState, String> {
        @Override
        public String convertToDatabaseColumn(PhaseState s) {
            return s == null ? null : s.wireName();
        }

        @Override
        public PhaseState convertToEntityAttribute(String s) {
            return s == null ? null : valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }
}
