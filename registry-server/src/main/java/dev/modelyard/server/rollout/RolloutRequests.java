package dev.modelyard.server.rollout;

import dev.modelyard.server.deployment.ActionType;
import dev.modelyard.server.deployment.DeploymentApi;
import dev.modelyard.server.deployment.MaintenanceWindow;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.health.HealthGate;
import dev.modelyard.server.health.HealthGates;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Checks a rollout request field by field; each refusal names the field's JSON path. */
final class RolloutRequests {

    static final int MAX_PHASES = 100;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})|(\\d{1,3}(\\.\\d{1,4})?)%");
    /** The longest duration a rollout accepts (bake, gate timeout, growth period): beyond it time arithmetic overflows. */
    static final Duration MAX_DURATION = Duration.ofDays(365);

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
        HealthGate gate = new HealthGate(g.maxErrorRate(), g.maxP99Ratio(), g.maxP99Ms(), Boolean.TRUE.equals(g.requireSelfTest()),
                g.minDevices() == null ? 1 : g.minDevices(), g.minRequests() == null ? 0 : g.minRequests(),
                duration(g.timeout(), at + ".timeout", Duration.ofMinutes(30), false));
        // The health package owns the gate's rules (such as maxErrorRate being a fraction); each problem names its member.
        List<String> problems = HealthGates.problems(gate);
        if (!problems.isEmpty()) {
            String first = problems.get(0);
            String member = first.substring(0, Math.max(0, first.indexOf(':')));
            throw DomainException.field(ErrorCode.INVALID_FIELD, member.isEmpty() ? at : at + "." + member, at + "." + first);
        }
        return gate;
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

    /**
     * The window as a deployment's is checked ({@link MaintenanceWindow#validated}), so a rollout
     * refuses exactly what an assignment refuses: a window the engine could not evaluate would make
     * every poll of its devices fail. A download-only rollout installs nothing, so it takes no window.
     */
    static MaintenanceWindow window(RolloutApi.WindowRequest w, ActionType type) {
        if (w == null) return null;
        MaintenanceWindow window = new DeploymentApi.Window(w.schedule(), w.duration(), w.zone()).toWindow("maintenanceWindow");
        if (type == ActionType.DOWNLOAD_ONLY) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "maintenanceWindow", "maintenanceWindow: a window holds "
                    + "the install step, and a downloadonly rollout installs nothing; leave one of them out");
        }
        return window;
    }

    static Integer maxDevices(Integer max) {
        if (max != null && max < 1) throw DomainException.field(ErrorCode.INVALID_FIELD, "maxDevices", "maxDevices: must be at least 1");
        return max;
    }

    /** An ISO-8601 duration of at most {@link #MAX_DURATION}; {@code zeroAllowed}: PT0S is fine (else it must be positive). */
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
        if (d.compareTo(MAX_DURATION) > 0) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": must be at most 365 days (P365D)");
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
