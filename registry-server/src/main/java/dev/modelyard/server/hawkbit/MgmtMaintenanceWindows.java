package dev.modelyard.server.hawkbit;

import dev.modelyard.server.deployment.DeploymentApi;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * hawkBit's assignment {@code maintenanceWindow} ({@code schedule}: a Quartz cron with seconds,
 * {@code duration}: {@code HH:mm:ss}, {@code timezone}: an offset such as {@code +01:00}) mapped
 * onto Modelyard's window (5-field cron, ISO-8601 duration, IANA zone). What has no 5-field
 * equivalent (a start at a second other than 0, a year, Quartz's {@code L}, {@code W} and
 * {@code #}, an offset that is not whole hours) is refused, naming the part.
 */
final class MgmtMaintenanceWindows {

    private static final Pattern HMS = Pattern.compile("(\\d{1,3}):([0-5]\\d):([0-5]\\d)");
    private static final Pattern OFFSET = Pattern.compile("([+-])(\\d{2}):(\\d{2})");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private MgmtMaintenanceWindows() {
    }

    static DeploymentApi.Window toWindow(MgmtApi.MaintenanceWindow w, String field) {
        if (w == null) return null;
        return new DeploymentApi.Window(schedule(w.schedule(), field + ".schedule"),
                duration(w.duration(), field + ".duration"), zone(w.timezone(), field + ".timezone"));
    }

    /** Quartz {@code sec min hour day-of-month month day-of-week [year]} to crontab's five fields. */
    static String schedule(String quartz, String field) {
        if (quartz == null || quartz.isBlank()) throw refused(field, "is required (a Quartz cron expression)");
        String[] f = quartz.strip().split("\\s+");
        if (f.length != 6 && f.length != 7) {
            throw refused(field, "'" + quartz + "' is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year])");
        }
        if (!f[0].equals("0")) throw refused(field, "windows start on whole minutes: the seconds must be 0");
        if (f.length == 7 && !f[6].equals("*") && !f[6].equals("?")) throw refused(field, "a year is not supported");
        for (String part : f) {
            if (part.matches(".*[LW#].*")) throw refused(field, "'" + part + "': Quartz's L, W and # are not supported");
        }
        String dom = f[3].equals("?") ? "*" : f[3];
        return f[1] + " " + f[2] + " " + dom + " " + f[4] + " " + dayOfWeek(f[5], field);
    }

    /** Quartz numbers days 1 (Sunday) to 7 (Saturday), crontab 0 (Sunday) to 6; names are the same. */
    private static String dayOfWeek(String quartz, String field) {
        if (quartz.equals("?") || quartz.equals("*")) return "*";
        if (quartz.contains("/")) throw refused(field, "'" + quartz + "': steps in the day of the week are not supported");
        Matcher m = NUMBER.matcher(quartz);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int day = Integer.parseInt(m.group());
            if (day < 1 || day > 7) throw refused(field, "'" + quartz + "': days of the week are 1 (Sunday) to 7");
            m.appendReplacement(out, Integer.toString(day - 1));
        }
        m.appendTail(out);
        return out.toString();
    }

    static String duration(String hms, String field) {
        if (hms == null) return null;
        Matcher m = HMS.matcher(hms.strip());
        if (!m.matches()) throw refused(field, "'" + hms + "' is not a duration of the form HH:mm:ss");
        return Duration.ofHours(Long.parseLong(m.group(1))).plusMinutes(Long.parseLong(m.group(2)))
                .plusSeconds(Long.parseLong(m.group(3))).toString();
    }

    /** hawkBit's offsets as the fixed zones of the IANA database ({@code Etc/GMT-1} is UTC+1); none: UTC, as hawkBit. */
    static String zone(String offset, String field) {
        if (offset == null || offset.isBlank()) return "UTC";
        Matcher m = OFFSET.matcher(offset.strip());
        if (offset.strip().equals("Z")) return "UTC";
        if (!m.matches()) throw refused(field, "'" + offset + "' is not an offset of the form +HH:MM");
        int hours = Integer.parseInt(m.group(2));
        boolean ahead = m.group(1).equals("+");
        // The IANA database has fixed zones from 12 hours behind UTC (Etc/GMT+12) to 14 ahead (Etc/GMT-14).
        if (!m.group(3).equals("00") || hours > (ahead ? 14 : 12)) {
            throw refused(field, "'" + offset + "': only whole-hour offsets from -12:00 to +14:00 can be mapped to a time zone");
        }
        if (hours == 0) return "UTC";
        // The IANA Etc zones have the POSIX sign: Etc/GMT-1 is one hour ahead of UTC.
        return "Etc/GMT" + (ahead ? "-" : "+") + hours;
    }

    private static DomainException refused(String field, String detail) {
        return DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": " + detail);
    }
}
