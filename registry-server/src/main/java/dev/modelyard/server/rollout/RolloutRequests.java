package dev.modelyard.server.rollout;

import dev.modelyard.server.deployment.ActionType;
import dev.modelyard.server.deployment.MaintenanceWindow;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.health.HealthGate;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Checks a rollout request field by field; each refusal names the field's JSON path. */
final class RolloutRequests {

    static final int MAX_PHASES = 100;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})|(\\d{1,3}(\\.\\d{1,4})?)%");
    private static final Pattern CRON_FIELD = Pattern.compile("[0-9*/,\\-A-Za-z?LW#]+");

    private RolloutRequests() {
    }

    static String name(String name) {
        if (name == null || name.isBlank()) throw DomainException.field(ErrorCode.MISSING_FIELD, "name", "name: is required");
        if (name.length() > 200) throw DomainException.field(ErrorCode.INVALID_FIELD, "name", "name: at most 200 characters");
        return name.strip();
    }

    static ActionType type(String type) {
        try {
            return ActionType.parse(type);
        } catch (IllegalArgumentException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "type", e.getMessage(), List.of("forced", "soft", "downloadonly"));
        }
    }

    static List<RolloutSpec.Phase> phases(List<RolloutApi.PhaseRequest> in) {
        if (in == null) return List.of(new RolloutSpec.Phase("all", "100%", Duration.ZERO, 100, 1, false, null));
        if (in.isEmpty()) throw DomainException.field(ErrorCode.INVALID_FIELD, "phases", "phases: give at least one phase, or leave it out for one phase of 100%");
        if (in.size() > MAX_PHASES) throw DomainException.field(ErrorCode.INVALID_FIELD, "phases", "phases: at most " + MAX_PHASES);
        List<RolloutSpec.Phase> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            String at = "phases[" + i + "]";
            RolloutApi.PhaseRequest p = in.get(i);
            if (p == null) throw DomainException.field(ErrorCode.INVALID_FIELD, at, at + ": must be an object");
            String name = p.name() == null || p.name().isBlank() ? "phase-" + (i + 1) : p.name().strip();
            if (name.length() > 100) throw DomainException.field(ErrorCode.INVALID_FIELD, at + ".name", at + ".name: at most 100 characters");
            String size = size(p.size(), at + ".size", i == in.size() - 1);
            double minSuccess = p.minSuccessPct() == null ? 100 : p.minSuccessPct();
            if (minSuccess < 0 || minSuccess > 100) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, at + ".minSuccessPct", at + ".minSuccessPct: must be between 0 and 100");
            }
            int minSamples = p.minSamples() == null ? 1 : p.minSamples();
            if (minSamples < 0) throw DomainException.field(ErrorCode.INVALID_FIELD, at + ".minSamples", at + ".minSamples: must not be negative");
            out.add(new RolloutSpec.Phase(name, size, duration(p.bake(), at + ".bake", Duration.ZERO, true), minSuccess, minSamples,
                    Boolean.TRUE.equals(p.approval()), gate(p.gate(), at + ".gate")));
        }
        return out;
    }

    private static String size(String size, String field, boolean last) {
        if (size == null || size.isBlank()) {
            if (last) return "100%";
            throw DomainException.field(ErrorCode.MISSING_FIELD, field, field + ": is required (\"10%\" or a count) except for the last phase");
        }
        String s = size.strip();
        var m = SIZE.matcher(s);
        if (!m.matches()) throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": '" + size + "' is neither a percentage (\"10%\") nor a count");
        if (m.group(2) != null) {
            double pct = Double.parseDouble(s.substring(0, s.length() - 1));
            if (pct <= 0 || pct > 100) throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": a percentage must be above 0 and at most 100");
        } else if (Integer.parseInt(s) < 1) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": a count must be at least 1");
        }
        return s;
    }

    private static HealthGate gate(RolloutApi.GateRequest g, String at) {
        if (g == null) return null;
        nonNegative(g.maxErrorRate(), at + ".maxErrorRate");
        nonNegative(g.maxP99Ratio(), at + ".maxP99Ratio");
        nonNegative(g.maxP99Ms(), at + ".maxP99Ms");
        if (g.minDevices() != null && g.minDevices() < 0) throw DomainException.field(ErrorCode.INVALID_FIELD, at + ".minDevices", at + ".minDevices: must not be negative");
        if (g.minRequests() != null && g.minRequests() < 0) throw DomainException.field(ErrorCode.INVALID_FIELD, at + ".minRequests", at + ".minRequests: must not be negative");
        return new HealthGate(g.maxErrorRate(), g.maxP99Ratio(), g.maxP99Ms(), Boolean.TRUE.equals(g.requireSelfTest()),
                g.minDevices() == null ? 1 : g.minDevices(), g.minRequests() == null ? 0 : g.minRequests(),
                duration(g.timeout(), at + ".timeout", Duration.ofMinutes(30), false));
    }

    private static void nonNegative(Double d, String field) {
        if (d != null && (d < 0 || d.isNaN() || d.isInfinite())) throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": must be a number of at least 0");
    }

    static RolloutSpec.FailureBudget failureBudget(RolloutApi.FailureBudgetRequest b) {
        if (b == null) return null;
        if (b.maxFailurePct() == null) throw DomainException.field(ErrorCode.MISSING_FIELD, "failureBudget.maxFailurePct", "failureBudget.maxFailurePct: is required");
        if (b.maxFailurePct() < 0 || b.maxFailurePct() > 100) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "failureBudget.maxFailurePct", "failureBudget.maxFailurePct: must be between 0 and 100");
        }
        int minExecuted = b.minExecuted() == null ? 1 : b.minExecuted();
        if (minExecuted < 1) throw DomainException.field(ErrorCode.INVALID_FIELD, "failureBudget.minExecuted", "failureBudget.minExecuted: must be at least 1");
        RolloutSpec.OnFailure on;
        if (b.onFailure() == null) {
            on = RolloutSpec.OnFailure.PAUSE;
        } else {
            on = switch (b.onFailure()) {
                case "pause" -> RolloutSpec.OnFailure.PAUSE;
                case "rollback" -> RolloutSpec.OnFailure.ROLLBACK;
                default -> throw DomainException.field(ErrorCode.INVALID_FIELD, "failureBudget.onFailure",
                        "failureBudget.onFailure: '" + b.onFailure() + "' is not pause or rollback", List.of("pause", "rollback"));
            };
        }
        return new RolloutSpec.FailureBudget(b.maxFailurePct(), minExecuted, on);
    }

    static RolloutSpec.Rate rate(RolloutApi.RateRequest r) {
        if (r == null) return null;
        if (r.maxPerMinute() == null || r.maxPerMinute() < 1) {
            throw DomainException.field(r.maxPerMinute() == null ? ErrorCode.MISSING_FIELD : ErrorCode.INVALID_FIELD, "rate.maxPerMinute",
                    "rate.maxPerMinute: is required, at least 1");
        }
        double growth = r.growthFactor() == null ? 1.0 : r.growthFactor();
        if (growth < 1.0 || growth > 100 || Double.isNaN(growth)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "rate.growthFactor", "rate.growthFactor: must be between 1 and 100");
        }
        Duration every = duration(r.growEvery(), "rate.growEvery", Duration.ofMinutes(1), false);
        return new RolloutSpec.Rate(r.maxPerMinute(), growth, every);
    }

    static RolloutSpec.Schedule schedule(RolloutApi.ScheduleRequest s) {
        if (s == null) return null;
        Instant start = instant(s.startAt(), "schedule.startAt");
        Instant end = instant(s.endAt(), "schedule.endAt");
        if (start != null && end != null && !end.isAfter(start)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "schedule.endAt", "schedule.endAt: must be after schedule.startAt");
        }
        return start == null && end == null ? null : new RolloutSpec.Schedule(start, end);
    }

    static MaintenanceWindow window(RolloutApi.WindowRequest w) {
        if (w == null) return null;
        if (w.schedule() == null || w.schedule().isBlank()) {
            throw DomainException.field(ErrorCode.MISSING_FIELD, "maintenanceWindow.schedule", "maintenanceWindow.schedule: is required (cron, 5 fields)");
        }
        String[] fields = w.schedule().strip().split("\\s+");
        if (fields.length != 5 || !java.util.Arrays.stream(fields).allMatch(f -> CRON_FIELD.matcher(f).matches())) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "maintenanceWindow.schedule",
                    "maintenanceWindow.schedule: '" + w.schedule() + "' is not a cron expression of 5 fields (minute hour day month weekday)");
        }
        if (w.duration() == null) throw DomainException.field(ErrorCode.MISSING_FIELD, "maintenanceWindow.duration", "maintenanceWindow.duration: is required");
        Duration d = duration(w.duration(), "maintenanceWindow.duration", null, false);
        if (d.toSeconds() > Integer.MAX_VALUE) throw DomainException.field(ErrorCode.INVALID_FIELD, "maintenanceWindow.duration", "maintenanceWindow.duration: too long");
        String zone = null;
        if (w.zone() != null && !w.zone().isBlank()) {
            try {
                zone = ZoneId.of(w.zone().strip()).getId();
            } catch (DateTimeException e) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, "maintenanceWindow.zone", "maintenanceWindow.zone: '" + w.zone()
                        + "' is not a time zone (an IANA name such as Europe/Berlin; leave it out for the device's zone)");
            }
        }
        return new MaintenanceWindow(String.join(" ", fields), d, zone);
    }

    static Integer maxDevices(Integer max) {
        if (max != null && max < 1) throw DomainException.field(ErrorCode.INVALID_FIELD, "maxDevices", "maxDevices: must be at least 1");
        return max;
    }

    /** An ISO-8601 duration; {@code zeroAllowed}: PT0S is fine (else it must be positive). */
    private static Duration duration(String text, String field, Duration absent, boolean zeroAllowed) {
        if (text == null || text.isBlank()) return absent;
        Duration d;
        try {
            d = Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": '" + text + "' is not an ISO-8601 duration such as PT10M");
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": must be " + (zeroAllowed ? "zero or more" : "positive"));
        }
        return d;
    }

    private static Instant instant(String text, String field) {
        if (text == null || text.isBlank()) return null;
        try {
            return java.time.OffsetDateTime.parse(text.strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": '" + text + "' is not an ISO-8601 time such as 2026-01-31T02:00:00Z");
        }
    }
}
