package dev.modelyard.server.deployment;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * When a device may run the update step of an action: windows that open at each time the cron
 * {@code schedule} (5 fields, as crontab) names and stay open for {@code duration}, read in
 * {@code zone} (an IANA name such as {@code Europe/Berlin}), or in the zone the device reports
 * when {@code zone} is null (UTC when it reports none). Downloads are not held by the window; the
 * update step is (hawkBit's {@code maintenanceWindow: available | unavailable}).
 *
 * <p>The schedule is read in local time of the zone, so {@code 0 2 * * *} opens at 02:00 local
 * time all year, whatever the offset; the duration is elapsed time (a window of 4 hours that
 * spans a DST change closes 4 real hours after it opened). A start that falls into the hour a DST
 * change skips opens when the clock jumps past it (so the day's window is not lost); one in the
 * hour that repeats opens once, the first time the clock shows it.
 */
public record MaintenanceWindow(String schedule, Duration duration, String zone) {

    /** The longest window: a week (a schedule that needs more is always open). */
    public static final Duration MAX_DURATION = Duration.ofDays(7);

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    /** Parsed schedules; there are few distinct ones. Bounded against unexpected variety. */
    private static final Map<String, ExecutionTime> SCHEDULES = new ConcurrentHashMap<>();
    private static final int MAX_CACHED = 10_000;
    /** Whether a window can be evaluated ({@link #evaluable}), per window. */
    private static final Map<MaintenanceWindow, Boolean> EVALUABLE = new ConcurrentHashMap<>();
    /** A schedule must fire within this (see {@link #fires}). */
    private static final java.time.Period FIRE_HORIZON = java.time.Period.ofYears(9);
    private static final Logger LOG = Logger.getLogger(MaintenanceWindow.class);

    /**
     * Checks every part: a 5-field cron schedule that fires (not, say, on the 30th of February),
     * a duration of whole seconds, at least one and at most {@link #MAX_DURATION} (refused rather
     * than rounded: the action stores whole seconds, and a silently longer window would surprise),
     * a zone that is a region id (IANA) or null. {@code field}: the path of the
     * window in the request (such as {@code maintenanceWindow}), named in the error.
     */
    public MaintenanceWindow validated(String field) {
        if (schedule == null || schedule.isBlank()) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field + ".schedule",
                    field + ".schedule: is required (5-field cron, such as \"0 22 * * *\")");
        }
        if (schedule.strip().split("\\s+").length != 5) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field + ".schedule", field + ".schedule: '" + schedule
                    + "' is not a 5-field cron expression (minute hour day-of-month month day-of-week)");
        }
        ExecutionTime times;
        try {
            times = executionTime(schedule);
        } catch (IllegalArgumentException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field + ".schedule", field + ".schedule: '" + schedule
                    + "' is not a valid cron expression: " + e.getMessage());
        }
        if (!fires(times)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field + ".schedule", field + ".schedule: '" + schedule
                    + "' never opens a window (no such date, such as the 30th of February)");
        }
        if (duration == null || duration.isNegative() || duration.getNano() != 0 || duration.getSeconds() < 1
                || duration.compareTo(MAX_DURATION) > 0) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field + ".duration", field
                    + ".duration: must be whole seconds, at least one and at most 7 days (ISO-8601, such as \"PT4H\")");
        }
        if (zone != null) {
            ZoneId z;
            try {
                z = ZoneId.of(zone);
            } catch (DateTimeException e) {
                z = null;
            }
            if (z == null || z instanceof ZoneOffset || !z.getId().equals(zone)) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, field + ".zone", field + ".zone: '" + zone
                        + "' is not an IANA time zone name (such as Europe/Berlin or UTC); leave it out for the device's zone");
            }
        }
        return this;
    }

    /** The zone the schedule is read in: the window's own, else the device's, else UTC. */
    public ZoneId zoneFor(ZoneId deviceZone) {
        if (zone != null) return ZoneId.of(zone);
        return deviceZone != null ? deviceZone : ZoneOffset.UTC;
    }

    /** Reads a zone a device reported; null when it reported none or something that is not one. */
    public static ZoneId deviceZone(String reported) {
        if (reported == null || reported.isBlank()) return null;
        try {
            return ZoneId.of(reported.strip());
        } catch (DateTimeException e) {
            return null;
        }
    }

    /**
     * Whether a window is open at {@code now}. A window that cannot be evaluated (stored before the
     * checks of {@link #validated} refused such: a schedule that never fires, an unknown zone) is
     * never open, as hawkBit treats a lapsed schedule: the device keeps polling and downloading,
     * only the update step waits, and the operator can cancel or replace the action.
     */
    public boolean isOpen(Instant now, ZoneId deviceZone) {
        if (!evaluable()) return false;
        return lastStart(now, deviceZone).map(s -> now.isBefore(s.plus(duration))).orElse(false);
    }

    /** {@code now} when a window is open, else the start of the next one (empty: the schedule never fires again). */
    public Optional<Instant> nextOpening(Instant now, ZoneId deviceZone) {
        if (!evaluable()) return Optional.empty();
        if (isOpen(now, deviceZone)) return Optional.of(now);
        return nextStart(now, deviceZone);
    }

    /**
     * The next instant after {@code now} at which {@link #isOpen} may change: the end of the open
     * window, or the next opening. Answers that depend on the window stay valid until then.
     * {@link Instant#MAX} when nothing changes any more (the schedule never fires, or the window
     * cannot be evaluated): callers that need milliseconds must not convert it.
     */
    public Instant nextChange(Instant now, ZoneId deviceZone) {
        if (!evaluable()) return Instant.MAX;
        Optional<Instant> start = lastStart(now, deviceZone);
        if (start.isPresent() && now.isBefore(start.get().plus(duration))) {
            // A later start inside this window only extends it: asking again at this end is safe.
            return start.get().plus(duration);
        }
        return nextStart(now, deviceZone).orElse(Instant.MAX);
    }

    /**
     * The latest start at or before {@code now}. The schedule is matched against the wall clock
     * of the zone (cron knows no DST), and the wall-clock start is then placed on the time line.
     */
    private Optional<Instant> lastStart(Instant now, ZoneId deviceZone) {
        ZoneId z = zoneFor(deviceZone);
        ExecutionTime times = executionTime(schedule);
        ZonedDateTime wall = wallClock(now, z);
        ZonedDateTime minute = wall.truncatedTo(ChronoUnit.MINUTES);
        // A start this very minute counts: lastExecution looks strictly before the time given.
        Optional<ZonedDateTime> start = times.isMatch(minute) ? Optional.of(minute) : times.lastExecution(wall);
        return start.map(s -> onTimeLine(s.toLocalDateTime(), z));
    }

    /** The first start after {@code now}. */
    private Optional<Instant> nextStart(Instant now, ZoneId deviceZone) {
        ZoneId z = zoneFor(deviceZone);
        ExecutionTime times = executionTime(schedule);
        Optional<ZonedDateTime> next = times.nextExecution(wallClock(now, z));
        // In the hour that repeats, a wall-clock start may lie before now on the time line (it
        // happened in the first pass): the one after it is the next.
        while (next.isPresent()) {
            Instant at = onTimeLine(next.get().toLocalDateTime(), z);
            if (at.isAfter(now)) return Optional.of(at);
            next = times.nextExecution(next.get());
        }
        return Optional.empty();
    }

    /** The wall-clock time of {@code zone} at {@code now}, as a date-time without DST (in UTC). */
    private static ZonedDateTime wallClock(Instant now, ZoneId zone) {
        return now.atZone(zone).toLocalDateTime().atZone(ZoneOffset.UTC);
    }

    /**
     * When the zone's clock shows {@code local}: in a gap (the hour summer time skips) the
     * instant the clock jumps past it, so the window still opens that day; in an overlap (the
     * hour that repeats) the first time, so the window opens once.
     */
    private static Instant onTimeLine(LocalDateTime local, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        List<ZoneOffset> offsets = rules.getValidOffsets(local);
        if (offsets.isEmpty()) return rules.getTransition(local).getInstant();
        return local.toInstant(offsets.get(0));
    }

    /**
     * Whether this window can be evaluated at all: its schedule parses and fires, its zone (if
     * any) is known and its duration is above zero. The answer is remembered per window (finding
     * that a schedule never fires costs cron-utils a long search), and a window that cannot be
     * evaluated is logged once.
     */
    public boolean evaluable() {
        Boolean known = EVALUABLE.get(this);
        if (known != null) return known;
        String why = null;
        try {
            if (zone != null) ZoneId.of(zone); // throws for a zone this runtime does not know
            if (duration == null || duration.isZero() || duration.isNegative()) {
                why = "its duration is not above zero";
            } else if (!fires(executionTime(schedule))) {
                why = "its schedule never fires";
            }
        } catch (RuntimeException e) {
            why = e.getMessage();
        }
        boolean ok = why == null;
        if (EVALUABLE.size() >= MAX_CACHED) EVALUABLE.clear();
        if (EVALUABLE.putIfAbsent(this, ok) == null && !ok) {
            LOG.warnf("maintenance window %s cannot be evaluated (%s): it is treated as never open", this, why);
        }
        return ok;
    }

    /**
     * Whether the schedule opens a window in the next {@link #FIRE_HORIZON}: a 5-field schedule
     * that fires at all fires within a leap-year cycle (29 February; the horizon covers the
     * century years that are not leap years too).
     */
    private static boolean fires(ExecutionTime times) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        return times.nextExecution(now).filter(next -> next.isBefore(now.plus(FIRE_HORIZON))).isPresent();
    }

    private static ExecutionTime executionTime(String schedule) {
        ExecutionTime cached = SCHEDULES.get(schedule);
        if (cached != null) return cached;
        Cron cron = PARSER.parse(schedule.strip()).validate();
        ExecutionTime parsed = ExecutionTime.forCron(cron);
        if (SCHEDULES.size() >= MAX_CACHED) SCHEDULES.clear();
        SCHEDULES.put(schedule, parsed);
        return parsed;
    }
}
