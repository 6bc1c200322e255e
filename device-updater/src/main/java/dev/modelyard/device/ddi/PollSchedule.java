package dev.modelyard.device.ddi;

import dev.modelyard.device.download.DownloadProgress;
import java.time.Duration;
import java.util.Optional;

/**
 * When the next poll is. The server says how long to wait ({@code config.polling.sleep}); the
 * device's configuration may replace that ({@code poll.override}) or cap it
 * ({@code poll.max.interval}), and a failed poll backs off within the same cap.
 */
public record PollSchedule(Optional<Duration> override, Optional<Duration> maxInterval) {

    /** What the updater waits for when the server names no interval. */
    public static final Duration WITHOUT_SERVER_INTERVAL = Duration.ofMinutes(5);

    /** A wait and why it is that long, for the log. */
    public record Next(Duration sleep, String why) {

        public String describe() {
            return "next poll in " + DownloadProgress.duration(sleep) + ", " + why;
        }
    }

    public PollSchedule {
        if (override.filter(d -> d.isNegative() || d.isZero()).isPresent()) throw new IllegalArgumentException("poll.override must be positive");
        if (maxInterval.filter(d -> d.isNegative() || d.isZero()).isPresent()) {
            throw new IllegalArgumentException("poll.max.interval must be positive");
        }
    }

    /** After a successful poll; {@code serverAsks} is empty when the answer named no interval. */
    public Next afterPoll(Optional<Duration> serverAsks) {
        if (override.isPresent()) return new Next(override.get(), "as poll.override sets");
        Duration asked = serverAsks.orElse(WITHOUT_SERVER_INTERVAL);
        String why = serverAsks.isPresent() ? "as the server asks" : "the server named no interval";
        if (maxInterval.isPresent() && asked.compareTo(maxInterval.get()) > 0) {
            return new Next(maxInterval.get(), "capped by poll.max.interval (the server asks for "
                    + DownloadProgress.duration(asked) + ")");
        }
        return new Next(asked, why);
    }

    /** After a failed poll: the back-off, capped like any other wait. */
    public Duration afterFailure(Duration backoff) {
        return maxInterval.filter(max -> backoff.compareTo(max) > 0).orElse(backoff);
    }
}
