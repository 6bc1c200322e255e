package dev.modelyard.server.rollout;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import jakarta.persistence.AttributeConverter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/** Where a rollout stands. The wire name (lower case, hyphens) is also what the database stores. */
public enum RolloutState {
    DRAFT, WAITING_FOR_APPROVAL, SCHEDULED, RUNNING, PAUSED, SUCCEEDED, FAILED, CANCELLED, ROLLING_BACK, ROLLED_BACK;

    /** Nothing happens to a rollout in these states any more. */
    static final Set<RolloutState> FINISHED = Set.of(SUCCEEDED, FAILED, CANCELLED, ROLLED_BACK);

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean isFinished() {
        return FINISHED.contains(this);
    }

    static RolloutState parse(String text, String parameter) {
        for (RolloutState s : values()) {
            if (s.wireName().equals(text)) return s;
        }
        throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, parameter, parameter + ": '" + text + "' is not a rollout state",
                Arrays.stream(values()).map(RolloutState::wireName).toList());
    }

    @jakarta.persistence.Converter
    static class Converter implements AttributeConverter<RolloutState, String> {
        @Override
        public String convertToDatabaseColumn(RolloutState s) {
            return s == null ? null : s.wireName();
        }

        @Override
        public RolloutState convertToEntityAttribute(String s) {
            return s == null ? null : valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }
}
