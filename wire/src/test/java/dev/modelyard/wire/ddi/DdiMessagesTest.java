package dev.modelyard.wire.ddi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DdiMessagesTest {

    @Test
    void pollingSleepIsHoursMinutesSeconds() {
        assertEquals("00:05:00", ControllerBase.formatSleep(Duration.ofMinutes(5)));
        assertEquals("26:00:01", ControllerBase.formatSleep(Duration.ofHours(26).plusSeconds(1)));
        assertEquals(Duration.ofSeconds(3723), ControllerBase.parseSleep("01:02:03"));
        assertThrows(IllegalArgumentException.class, () -> ControllerBase.parseSleep("5m"));
    }

    @Test
    void emptyLinksAreLeftOut() {
        assertNull(ControllerBase.of(Duration.ofSeconds(30), Map.of())._links());
        Map<String, Link> links = new LinkedHashMap<>();
        links.put(Links.CONFIG_DATA, new Link("http://h/DEFAULT/controller/v1/d/configData"));
        ControllerBase b = ControllerBase.of(Duration.ofSeconds(30), links);
        assertEquals("http://h/DEFAULT/controller/v1/d/configData", b.href(Links.CONFIG_DATA));
        assertNull(b.href(Links.DEPLOYMENT_BASE));
    }

    @Test
    void feedbackValuesAreCaseInsensitiveAndChecked() {
        assertEquals(Feedback.Execution.CLOSED, Feedback.Execution.parse("Closed"));
        assertEquals(Feedback.Execution.DOWNLOAD, Feedback.Execution.parse("download"));
        assertThrows(IllegalArgumentException.class, () -> Feedback.Execution.parse("bogus"));
        assertEquals(Feedback.Finished.NONE, Feedback.Finished.parse(null));
        assertEquals(Feedback.Finished.FAILURE, Feedback.Finished.parse("FAILURE"));
        assertEquals(ConfigData.Mode.MERGE, ConfigData.Mode.parse(null));
        assertEquals(ConfigData.Mode.REMOVE, ConfigData.Mode.parse("remove"));
        assertThrows(IllegalArgumentException.class, () -> ConfigData.Mode.parse("append"));
        assertEquals("1", CancelActionBase.of(1).cancelAction().stopId());
    }
}
