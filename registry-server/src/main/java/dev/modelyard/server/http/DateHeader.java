package dev.modelyard.server.http;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Every answer carries a {@code Date} header (RFC 9110 asks it of servers with a clock; hawkBit
 * sends it, and DDI clients use it to judge their own clock). The formatted value is reused for
 * the rest of its second, so the device poll pays a volatile read, not a date format.
 */
@ApplicationScoped
public class DateHeader {

    /** IMF-fixdate (RFC 9110 5.6.7): two-digit day, English names, GMT. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH);

    private record Stamp(long second, String text) {
    }

    private final Clock clock;
    private volatile Stamp stamp = new Stamp(Long.MIN_VALUE, "");

    public DateHeader(Clock clock) {
        this.clock = clock;
    }

    void install(@Observes Router router) {
        // Before every other handler, so that failures and 304s get the header too.
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            rc.response().putHeader("Date", now());
            rc.next();
        });
    }

    /** The current time as an HTTP date, e.g. {@code Tue, 01 Dec 2026 05:16:52 GMT}. */
    String now() {
        long second = Math.floorDiv(clock.millis(), 1000);
        Stamp s = stamp;
        if (s.second() != second) {
            s = new Stamp(second, HTTP_DATE.format(Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC)));
            stamp = s;
        }
        return s.text();
    }
}
