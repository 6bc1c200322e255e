package dev.modelyard.server.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Maintenance windows over a table of instants, zones and DST changes; and what is refused. */
class MaintenanceWindowTest {

    private static ZoneId zone(String z) {
        return z == null || z.isBlank() ? null : ZoneId.of(z);
    }

    /**
     * schedule | duration | window zone | device zone | instant | open? | next opening (the instant itself when open).
     * Europe/Berlin changes to summer time on 2026-03-29 at 01:00 UTC (02:00 → 03:00 local) and
     * back on 2026-10-25 at 01:00 UTC (03:00 → 02:00 local).
     */
    @ParameterizedTest(name = "{0} {1} in {2}/{3} at {4}: open={5}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            * * * * *   | PT1H  | UTC           | -             | 2026-06-01T12:34:56Z | true  | 2026-06-01T12:34:56Z
            * * * * *   | PT1M  | -             | -             | 2026-06-01T00:00:00Z | true  | 2026-06-01T00:00:00Z
            0 22 * * *  | PT4H  | UTC           | -             | 2026-06-01T22:00:00Z | true  | 2026-06-01T22:00:00Z
            0 22 * * *  | PT4H  | UTC           | -             | 2026-06-02T01:59:59Z | true  | 2026-06-02T01:59:59Z
            0 22 * * *  | PT4H  | UTC           | -             | 2026-06-02T02:00:00Z | false | 2026-06-02T22:00:00Z
            0 22 * * *  | PT4H  | UTC           | -             | 2026-06-01T21:59:59Z | false | 2026-06-01T22:00:00Z
            0 22 * * *  | PT4H  | -             | Asia/Tokyo    | 2026-06-01T13:30:00Z | true  | 2026-06-01T13:30:00Z
            0 22 * * *  | PT4H  | -             | Asia/Tokyo    | 2026-06-01T22:30:00Z | false | 2026-06-02T13:00:00Z
            0 22 * * *  | PT4H  | UTC           | Asia/Tokyo    | 2026-06-01T22:30:00Z | true  | 2026-06-01T22:30:00Z
            0 9 * * *   | PT1H  | Europe/Berlin | -             | 2026-03-28T08:30:00Z | true  | 2026-03-28T08:30:00Z
            0 9 * * *   | PT1H  | Europe/Berlin | -             | 2026-03-28T07:30:00Z | false | 2026-03-28T08:00:00Z
            0 9 * * *   | PT1H  | Europe/Berlin | -             | 2026-03-30T07:30:00Z | true  | 2026-03-30T07:30:00Z
            0 9 * * *   | PT1H  | Europe/Berlin | -             | 2026-03-30T08:30:00Z | false | 2026-03-31T07:00:00Z
            0 9 * * *   | PT1H  | -             | Europe/Berlin | 2026-03-29T06:00:00Z | false | 2026-03-29T07:00:00Z
            0 22 * * *  | PT4H  | Europe/Berlin | -             | 2026-03-29T00:59:00Z | true  | 2026-03-29T00:59:00Z
            0 22 * * *  | PT4H  | Europe/Berlin | -             | 2026-03-29T01:00:00Z | false | 2026-03-29T20:00:00Z
            0 22 * * *  | PT4H  | Europe/Berlin | -             | 2026-10-24T23:59:00Z | true  | 2026-10-24T23:59:00Z
            0 22 * * *  | PT4H  | Europe/Berlin | -             | 2026-10-25T00:00:00Z | false | 2026-10-25T21:00:00Z
            0 2 * * *   | PT2H  | Europe/Berlin | -             | 2026-10-25T01:30:00Z | true  | 2026-10-25T01:30:00Z
            0 2 * * *   | PT2H  | Europe/Berlin | -             | 2026-10-25T02:00:00Z | false | 2026-10-26T01:00:00Z
            30 2 * * *  | PT30M | Europe/Berlin | -             | 2026-10-25T01:10:00Z | false | 2026-10-26T01:30:00Z
            30 2 * * *  | PT30M | Europe/Berlin | -             | 2026-03-29T00:10:00Z | false | 2026-03-29T01:00:00Z
            0 22 * * *  | PT4H  | Europe/Berlin | -             | 2026-10-24T19:59:00Z | false | 2026-10-24T20:00:00Z
            0 22 * * *  | PT4H  | Europe/Berlin | -             | 2026-10-25T20:59:00Z | false | 2026-10-25T21:00:00Z
            0 1 * * 6   | PT48H | UTC           | -             | 2026-06-07T12:00:00Z | true  | 2026-06-07T12:00:00Z
            0 1 * * 6   | PT48H | UTC           | -             | 2026-06-08T01:00:00Z | false | 2026-06-13T01:00:00Z
            0 1 * * 6   | PT48H | UTC           | -             | 2026-06-05T12:00:00Z | false | 2026-06-06T01:00:00Z
            0 12 * * *  | PT1H  | -             | -             | 2026-06-01T12:30:00Z | true  | 2026-06-01T12:30:00Z
            0 12 1 1 *  | PT1H  | UTC           | -             | 2026-06-01T12:30:00Z | false | 2027-01-01T12:00:00Z
            """)
    void table(String schedule, String duration, String windowZone, String deviceZone, String at, boolean open,
               String next) {
        MaintenanceWindow w = new MaintenanceWindow(schedule, Duration.parse(duration), windowZone).validated("w");
        Instant now = Instant.parse(at);
        assertEquals(open, w.isOpen(now, zone(deviceZone)));
        assertEquals(Optional.of(Instant.parse(next)), w.nextOpening(now, zone(deviceZone)));
    }

    /**
     * The hour that summer time skips: a start in it opens when the clock jumps past the gap
     * (01:00 UTC on 2026-03-29), so the day's window is not lost; in the hour that repeats
     * (2026-10-25, 02:30 local is 00:30 and 01:30 UTC) it opens once, the first time.
     */
    @ParameterizedTest(name = "{0} at {1}: open={2}")
    @CsvSource(delimiter = '|', textBlock = """
            30 2 * * * | 2026-03-29T00:59:00Z | false
            30 2 * * * | 2026-03-29T01:00:00Z | true
            30 2 * * * | 2026-03-29T01:29:00Z | true
            30 2 * * * | 2026-03-29T01:30:00Z | false
            30 2 * * * | 2026-03-30T00:45:00Z | true
            30 2 * * * | 2026-10-25T00:45:00Z | true
            30 2 * * * | 2026-10-25T01:45:00Z | false
            """)
    void dstGapAndOverlap(String schedule, String at, boolean open) {
        MaintenanceWindow w = new MaintenanceWindow(schedule, Duration.ofMinutes(30), "Europe/Berlin").validated("w");
        assertEquals(open, w.isOpen(Instant.parse(at), null));
    }

    /** Until when an answer that depends on the window stays right: the window's end, or the next opening. */
    @ParameterizedTest(name = "{0} {1} at {2}: changes at {3}")
    @CsvSource(delimiter = '|', textBlock = """
            0 22 * * * | PT4H | 2026-06-01T23:00:00Z | 2026-06-02T02:00:00Z
            0 22 * * * | PT4H | 2026-06-01T12:00:00Z | 2026-06-01T22:00:00Z
            0 22 * * * | PT4H | 2026-06-02T02:00:00Z | 2026-06-02T22:00:00Z
            * * * * *  | PT1H | 2026-06-01T12:00:30Z | 2026-06-01T13:00:00Z
            """)
    void nextChange(String schedule, String duration, String at, String change) {
        MaintenanceWindow w = new MaintenanceWindow(schedule, Duration.parse(duration), "UTC").validated("w");
        assertEquals(Instant.parse(change), w.nextChange(Instant.parse(at), null));
    }

    @ParameterizedTest(name = "{0} {1} {2} → {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            -              | PT1H   | -              | maintenanceWindow.schedule
            61 * * * *     | PT1H   | -              | maintenanceWindow.schedule
            * * * *        | PT1H   | -              | maintenanceWindow.schedule
            0 0 * * * *    | PT1H   | -              | maintenanceWindow.schedule
            0 0 * * * 2026 | PT1H   | -              | maintenanceWindow.schedule
            0 25 * * *     | PT1H   | -              | maintenanceWindow.schedule
            0 0 30 2 *     | PT1H   | -              | maintenanceWindow.schedule
            0 0 31 4,6,9 * | PT1H   | UTC            | maintenanceWindow.schedule
            0 0 * * *      | PT0S   | -              | maintenanceWindow.duration
            0 0 * * *      | PT0.5S | -              | maintenanceWindow.duration
            0 0 * * *      | PT1.5S | -              | maintenanceWindow.duration
            0 0 * * *      | -PT1H  | -              | maintenanceWindow.duration
            0 0 * * *      | P8D    | -              | maintenanceWindow.duration
            0 0 * * *      | -      | -              | maintenanceWindow.duration
            0 0 * * *      | PT1H   | Mars/Olympus   | maintenanceWindow.zone
            0 0 * * *      | PT1H   | +02:00         | maintenanceWindow.zone
            0 0 * * *      | PT1H   | europe/berlin  | maintenanceWindow.zone
            """)
    void refused(String schedule, String duration, String zone, String field) {
        MaintenanceWindow w = new MaintenanceWindow(schedule, duration == null ? null : Duration.parse(duration), zone);
        DomainException e = assertThrows(DomainException.class, () -> w.validated("maintenanceWindow"));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertEquals(field, e.field());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            0 0 * * *      | P7D  | UTC
            */15 8-17 * * 1-5 | PT15M | America/New_York
            0 3 1,15 * *   | PT2H | -
            0 0 29 2 *     | PT1S | UTC
            """)
    void accepted(String schedule, String duration, String zone) {
        new MaintenanceWindow(schedule, Duration.parse(duration), zone).validated("maintenanceWindow");
    }

    /**
     * Windows stored before the checks above (the database holds what older versions accepted):
     * never open, no next change, and no exception, so that a device's poll is still answered.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            0 0 30 2 *     | PT1H | UTC
            0 0 * * *      | PT1H | Mars/Olympus
            61 * * * *     | PT1H | -
            0 0 * * *      | PT0S | -
            """)
    void storedWindowThatCannotBeEvaluatedIsNeverOpen(String schedule, String duration, String zone) {
        MaintenanceWindow w = new MaintenanceWindow(schedule, Duration.parse(duration), zone);
        Instant at = Instant.parse("2026-06-01T00:00:00Z");
        for (int i = 0; i < 2; i++) { // the second round answers from what the first learned
            assertEquals(false, w.evaluable());
            assertEquals(false, w.isOpen(at, ZoneId.of("Europe/Berlin")));
            assertEquals(Optional.empty(), w.nextOpening(at, null));
            assertEquals(Instant.MAX, w.nextChange(at, null));
        }
    }
}
