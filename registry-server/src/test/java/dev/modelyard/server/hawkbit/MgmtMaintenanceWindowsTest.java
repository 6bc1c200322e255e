package dev.modelyard.server.hawkbit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelyard.server.deployment.DeploymentApi;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** hawkBit's Quartz-based maintenance windows mapped onto 5-field cron, ISO durations and IANA zones. */
class MgmtMaintenanceWindowsTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            0 0 3 ? * 6          | 00:10:00 | +00:00 | 0 3 * * 5         | PT10M | UTC
            0 30 22 * * ?        | 04:00:00 | +01:00 | 30 22 * * *       | PT4H  | Etc/GMT-1
            0 0/15 8-17 ? * 2-6  | 00:15:00 | -05:00 | 0/15 8-17 * * 1-5 | PT15M | Etc/GMT+5
            0 0 1 1,15 * ? *     | 26:00:00 | -      | 0 1 1,15 * *      | PT26H | UTC
            0 0 2 ? * MON-FRI    | 01:00:00 | Z      | 0 2 * * MON-FRI   | PT1H  | UTC
            0 0 2 ? * 1,7        | 01:00:00 | +14:00 | 0 2 * * 0,6       | PT1H  | Etc/GMT-14
            0 0 2 ? * 1,7        | 01:00:00 | -12:00 | 0 2 * * 0,6       | PT1H  | Etc/GMT+12
            """)
    void mapped(String schedule, String duration, String timezone, String cron, String iso, String zone) {
        DeploymentApi.Window w = MgmtMaintenanceWindows.toWindow(new MgmtApi.MaintenanceWindow(schedule, duration, timezone), "mw");
        assertEquals(new DeploymentApi.Window(cron, iso, zone), w);
        w.toWindow("mw"); // and valid as a Modelyard window
    }

    @ParameterizedTest(name = "{0} {1} {2} → {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            0 0 3 * *          | 01:00:00 | +00:00 | mw.schedule
            30 0 3 ? * 6       | 01:00:00 | +00:00 | mw.schedule
            0 0 3 ? * 6 2027   | 01:00:00 | +00:00 | mw.schedule
            0 0 3 L * ?        | 01:00:00 | +00:00 | mw.schedule
            0 0 3 ? * 6#2      | 01:00:00 | +00:00 | mw.schedule
            0 0 3 ? * 8        | 01:00:00 | +00:00 | mw.schedule
            0 0 3 ? * 6        | 1h       | +00:00 | mw.duration
            0 0 3 ? * 6        | 01:00:00 | +05:30 | mw.timezone
            0 0 3 ? * 6        | 01:00:00 | Europe/Berlin | mw.timezone
            0 0 3 ? * 6        | 01:00:00 | -13:00 | mw.timezone
            0 0 3 ? * 6        | 01:00:00 | -14:00 | mw.timezone
            0 0 3 ? * 6        | 01:00:00 | +15:00 | mw.timezone
            -                  | 01:00:00 | +00:00 | mw.schedule
            """)
    void refused(String schedule, String duration, String timezone, String field) {
        DomainException e = assertThrows(DomainException.class,
                () -> MgmtMaintenanceWindows.toWindow(new MgmtApi.MaintenanceWindow(schedule, duration, timezone), "mw"));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertEquals(field, e.field());
    }
}
