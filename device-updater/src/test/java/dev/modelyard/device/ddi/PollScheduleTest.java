package dev.modelyard.device.ddi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PollScheduleTest {

    static final Optional<Duration> FIVE_MINUTES = Optional.of(Duration.ofMinutes(5));

    @Test
    void followsTheServerAndSaysSo() {
        PollSchedule s = new PollSchedule(Optional.empty(), Optional.empty());
        assertEquals("next poll in 5m0s, as the server asks", s.afterPoll(FIVE_MINUTES).describe());
        assertEquals(new PollSchedule.Next(Duration.ofMinutes(5), "the server named no interval"), s.afterPoll(Optional.empty()));
        assertEquals(Duration.ofMinutes(10), s.afterFailure(Duration.ofMinutes(10)));
    }

    @Test
    void aLocalCapShortensLongerWaitsOnly() {
        PollSchedule s = new PollSchedule(Optional.empty(), Optional.of(Duration.ofMinutes(1)));
        assertEquals("next poll in 1m0s, capped by poll.max.interval (the server asks for 5m0s)", s.afterPoll(FIVE_MINUTES).describe());
        assertEquals(Duration.ofSeconds(30), s.afterPoll(Optional.of(Duration.ofSeconds(30))).sleep());
        assertEquals(Duration.ofMinutes(1), s.afterFailure(Duration.ofMinutes(10)), "a back-off too");
    }

    @Test
    void anOverrideWins() {
        PollSchedule s = new PollSchedule(Optional.of(Duration.ofSeconds(30)), Optional.empty());
        assertEquals("next poll in 30s, as poll.override sets", s.afterPoll(FIVE_MINUTES).describe());
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new PollSchedule(Optional.empty(), Optional.of(Duration.ZERO)));
    }
}
