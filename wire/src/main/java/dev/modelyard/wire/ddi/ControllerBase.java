package dev.modelyard.wire.ddi;

import java.time.Duration;
import java.util.Map;

/**
 * The answer to a base poll: how long to sleep, and links to what the device should do next
 * ({@link Links#DEPLOYMENT_BASE}, {@link Links#CANCEL_ACTION}, {@link Links#CONFIG_DATA},
 * {@link Links#INSTALLED_BASE}). {@code _links} is null when there is nothing to do.
 */
public record ControllerBase(Config config, Map<String, Link> _links) {

    public record Config(Polling polling) {
    }

    /** @param sleep the poll interval as {@code HH:mm:ss} */
    public record Polling(String sleep) {
    }

    public static ControllerBase of(Duration sleep, Map<String, Link> links) {
        return new ControllerBase(new Config(new Polling(formatSleep(sleep))), links == null || links.isEmpty() ? null : links);
    }

    /** {@code HH:mm:ss}, as hawkBit writes the polling interval (hours may exceed 23). */
    public static String formatSleep(Duration d) {
        long s = Math.max(0, d.getSeconds());
        return String.format("%02d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
    }

    /** Parses {@code HH:mm:ss} back into a duration. */
    public static Duration parseSleep(String text) {
        String[] p = text.strip().split(":");
        if (p.length != 3) throw new IllegalArgumentException("sleep: '" + text + "' is not HH:mm:ss");
        try {
            return Duration.ofSeconds(Long.parseLong(p[0]) * 3600 + Long.parseLong(p[1]) * 60 + Long.parseLong(p[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sleep: '" + text + "' is not HH:mm:ss");
        }
    }

    /** The href of a link, or null. */
    public String href(String rel) {
        if (_links == null) return null;
        Link l = _links.get(rel);
        return l == null ? null : l.href();
    }
}
