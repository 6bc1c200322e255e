package dev.modelyard.device.ddi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.ddi.ServingHealth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionJournalTest {

    @TempDir
    Path dir;

    @Test
    void openAndFinishedActionsSurviveAReopen() throws Exception {
        Path file = dir.resolve("actions.json");
        ActionJournal journal = new ActionJournal(file);
        ActionJournal.Open watching = new ActionJournal.Open(ActionJournal.Stage.WATCHING, Instant.parse("2026-06-01T12:00:00Z"),
                List.of(new ActionJournal.Swapped("kws", "2.0.0", "1.0.0", 12_345_678, 400),
                        new ActionJournal.Swapped("vad", "1.0.0", null, -1, 0)), 3, 1, Duration.ofMillis(41_500));
        journal.begin("7", watching);
        journal.record("6", ActionJournal.Outcome.failure("refused"));

        ActionJournal reopened = new ActionJournal(file);
        assertEquals(watching, reopened.open("7").orElseThrow());
        assertEquals(ActionJournal.Outcome.failure("refused"), reopened.outcome("6").orElseThrow());

        reopened.record("7", ActionJournal.Outcome.success("serving kws 2.0.0"));
        ActionJournal again = new ActionJournal(file);
        assertTrue(again.openActions().isEmpty());
        assertEquals("success", again.outcome("7").orElseThrow().finished());
    }

    @Test
    void anUnacknowledgedTransferReportStaysWithTheActionUntilAndAfterItsOutcome() throws Exception {
        Path file = dir.resolve("actions.json");
        ActionJournal journal = new ActionJournal(file);
        Feedback.Transfer kws = new Feedback.Transfer("kws.onnx", "delta", "onnx-tensors", "ab12", 700, 10_000, null);
        Feedback.Transfer vad = new Feedback.Transfer("vad.onnx", "full", null, null, 5_000, 5_000, "delta from cd34 failed (malformed)");
        journal.unreported("9", kws);
        journal.unreported("9", vad);
        journal.reported("9", "vad.onnx");
        assertEquals(List.of(kws), new ActionJournal(file).transfers("9"), "kept across a restart");

        journal.record("9", ActionJournal.Outcome.success("serving kws 2.0.0"));
        ActionJournal reopened = new ActionJournal(file);
        assertEquals(List.of(kws), reopened.transfers("9"), "kept with the outcome for a report sent again");
        assertEquals(List.of(), reopened.transfers("10"));
        reopened.record("10", ActionJournal.Outcome.success("x"));
        assertEquals(List.of(), reopened.transfers("10"));
    }

    @Test
    void anActionWrittenBeforeRestartsWereCountedHasNoneAndHasWatchedNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("actions.json"), """
                {"finished": {}, "open": {"8": {"stage": "watching", "since": 1780315200000,
                  "swapped": [{"model": "kws", "version": "2.0.0", "from": "1.0.0", "baselineP99Nanos": 5, "baselineSamples": 30}]}}}
                """);
        ActionJournal.Open o = new ActionJournal(file).open("8").orElseThrow();
        assertEquals(0, o.restarts());
        assertEquals(Duration.ZERO, o.watched());
        assertEquals(1, o.swaps());
        assertTrue(o.allSwapsRecorded());
    }

    @Test
    void anActionIsSwappedInOnlyOnceEverySwapItMakesIsRecorded() {
        List<ActionJournal.Swapped> one = List.of(new ActionJournal.Swapped("kws", "2.0.0", "1.0.0", 1, 1));
        assertFalse(new ActionJournal.Open(ActionJournal.Stage.INSTALLING, null, one, 2, 0, Duration.ZERO).allSwapsRecorded());
        assertTrue(new ActionJournal.Open(ActionJournal.Stage.INSTALLING, null, one, 1, 0, Duration.ZERO).allSwapsRecorded());
    }

    @Test
    void readsTheFirstFormatWhichHeldOutcomesOnly() throws Exception {
        Path file = Files.writeString(dir.resolve("actions.json"),
                "{\"12\": {\"execution\": \"closed\", \"finished\": \"success\", \"message\": \"serving kws 1.0.0\"}}");
        ActionJournal journal = new ActionJournal(file);
        assertEquals(new ActionJournal.Outcome("closed", "success", "serving kws 1.0.0"), journal.outcome("12").orElseThrow());
        assertTrue(journal.openActions().isEmpty());
    }

    @Test
    void theSelfTestOfASwapAndTheFinalHealthOfAnOutcomeSurviveAReopen() throws Exception {
        Path file = dir.resolve("actions.json");
        ActionJournal journal = new ActionJournal(file);
        ActionJournal.Open open = new ActionJournal.Open(ActionJournal.Stage.WATCHING, null,
                List.of(new ActionJournal.Swapped("kws", "2.0.0", "1.0.0", 5_000_000, 100, "passed")));
        journal.begin("8", open);
        assertEquals("passed", new ActionJournal(file).open("8").orElseThrow().swapped().get(0).selfTest());
        // Written before the self-test was recorded: none.
        assertEquals("none", new ActionJournal.Swapped("kws", "2.0.0", null, -1, 0).selfTest());

        ServingHealth last = new ServingHealth("kws", "2.0.0", "1.0.0", 60, 250, 3, 1.25, 7.5, 5.0, 1.5, "passed", true);
        journal.record("8", ActionJournal.Outcome.success("serving kws 2.0.0"), List.of(last));
        journal.record("9", ActionJournal.Outcome.failure("refused"));
        ActionJournal reopened = new ActionJournal(file);
        assertEquals(List.of(last), reopened.health("8"));
        assertEquals(List.of(), reopened.health("9"));
        assertEquals(List.of(), reopened.health("10"));
        assertEquals(ActionJournal.Outcome.success("serving kws 2.0.0"), reopened.outcome("8").orElseThrow());
    }
}
