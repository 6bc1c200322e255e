package dev.modelyard.device.ddi;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.ddi.ServingHealth;
import dev.modelyard.wire.json.WireJson;
import dev.modelyard.wire.trust.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The actions the device is working on and the final outcome of each it finished, written
 * atomically, so a restart neither repeats an installation nor loses the report: if the server
 * still offers a finished action (its feedback was lost), the outcome is sent again.
 *
 * <p>An action is <em>open</em> from just before its first swap until its outcome is recorded:
 * first {@code installing}, then, while the new versions are on probation, {@code watching}.
 * Each swap is recorded here as an intent before the store promotes the version and before it
 * serves, so after a restart an open action tells which versions may have been swapped in (the
 * store says whether they were) and were never confirmed, how many restarts the action has seen,
 * and how much of the window they have already served. An action whose swap a restart
 * interrupted stays open with no swaps and its restarts counted until it runs again.
 *
 * <p>How the device got each payload ({@link Feedback.Transfer}) goes to the server with the
 * {@code downloaded} feedback; a report the server did not acknowledge is kept here until the
 * action ends and then with its outcome, so the closing report carries it, also when sent again.
 */
public final class ActionJournal {

    private static final int KEEP_FINISHED = 200;

    /** The JSON binding for the figures and transfer reports, loaded with the first action that has them, not by an idle device. */
    private static final class Binding {
        static final ObjectMapper JSON = WireJson.mapper();
    }

    private final Path file;
    private final Map<String, Object> finished = new LinkedHashMap<>();
    private final Map<String, Open> open = new LinkedHashMap<>();
    /**
     * Per action, the transfer reports the server has not acknowledged yet (their
     * {@code downloaded} feedback failed), as JSON text: the closing report carries them.
     */
    private final Map<String, String> unreported = new LinkedHashMap<>();

    /** How an action ended: execution (closed, canceled), finished (success, failure) and a message. */
    public record Outcome(String execution, String finished, String message) {

        static Outcome success(String message) {
            return new Outcome("closed", "success", message);
        }

        static Outcome failure(String message) {
            return new Outcome("closed", "failure", message);
        }
    }

    /**
     * A model version an open action swapped in, the version it replaced, and that version's p99
     * latency then. {@code selfTest}: whether the swap runs the version's self-test ({@code passed}
     * once it is swapped in, as a failed self-test refuses the swap) or the version has none ({@code none}).
     */
    public record Swapped(String model, String version, String from, long baselineP99Nanos, int baselineSamples,
                          String selfTest) {

        public Swapped {
            if (selfTest == null) selfTest = ServingHealth.SelfTest.NONE.wireName();
        }

        public Swapped(String model, String version, String from, long baselineP99Nanos, int baselineSamples) {
            this(model, version, from, baselineP99Nanos, baselineSamples, null);
        }
    }

    public enum Stage { INSTALLING, WATCHING }

    /**
     * An action between its first swap and its outcome. {@code since} is when watching began (wall
     * clock, for people reading the file); {@code swaps} how many swaps the action makes in all;
     * {@code restarts} how many times the updater restarted during its swaps or after them; {@code watched} how
     * much of the health window the new versions have served, measured on the monotonic clock.
     */
    public record Open(Stage stage, Instant since, List<Swapped> swapped, int swaps, int restarts, Duration watched) {

        public Open {
            swapped = List.copyOf(swapped);
        }

        /** An action that makes only the swaps listed, before any restart or watched time. */
        public Open(Stage stage, Instant since, List<Swapped> swapped) {
            this(stage, since, swapped, swapped.size(), 0, Duration.ZERO);
        }

        /** Whether every swap the action makes has been started (the store tells which completed). */
        public boolean allSwapsRecorded() {
            return swapped.size() >= swaps;
        }
    }

    public ActionJournal(Path file) {
        this.file = file;
        if (!Files.exists(file)) return;
        try {
            Object parsed = CanonicalJson.parse(Files.readAllBytes(file));
            if (parsed instanceof Map<?, ?> m) read(m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException | ClassCastException e) {
            // A journal that cannot be parsed was never completely written: start afresh.
            finished.clear();
            open.clear();
        }
    }

    private void read(Map<?, ?> m) {
        if (!m.containsKey("finished") && !m.containsKey("open")) {
            // The first format held finished outcomes only.
            m.forEach((k, v) -> finished.put((String) k, v));
            return;
        }
        if (m.get("finished") instanceof Map<?, ?> f) f.forEach((k, v) -> finished.put((String) k, v));
        if (m.get("open") instanceof Map<?, ?> o) o.forEach((k, v) -> open.put((String) k, openFromMap((Map<?, ?>) v)));
        if (m.get("unreported") instanceof Map<?, ?> u) u.forEach((k, v) -> unreported.put((String) k, (String) v));
    }

    public synchronized Optional<Outcome> outcome(String actionId) {
        Object o = finished.get(actionId);
        if (!(o instanceof Map<?, ?> m)) return Optional.empty();
        return Optional.of(new Outcome((String) m.get("execution"), (String) m.get("finished"), (String) m.get("message")));
    }

    /** The final serving health recorded with a finished action's outcome; empty when none was. */
    public synchronized List<ServingHealth> health(String actionId) {
        if (!(finished.get(actionId) instanceof Map<?, ?> m) || !(m.get("health") instanceof String text)) return List.of();
        try {
            return List.of(Binding.JSON.readValue(text, ServingHealth[].class));
        } catch (IOException | IllegalArgumentException e) {
            return List.of(); // the outcome still counts; the figures are a bonus
        }
    }

    /**
     * The transfer reports of an action the server has not acknowledged: kept with its outcome
     * once it ended (for the closing report, sent again or not), else those waiting for it.
     */
    public synchronized List<Feedback.Transfer> transfers(String actionId) {
        String text = finished.get(actionId) instanceof Map<?, ?> m ? (String) m.get("transfers") : unreported.get(actionId);
        return parseTransfers(text);
    }

    /** Keeps a transfer report the server has not acknowledged (replacing one for the same file). */
    public synchronized void unreported(String actionId, Feedback.Transfer transfer) throws IOException {
        List<Feedback.Transfer> list = new ArrayList<>(parseTransfers(unreported.get(actionId)));
        list.removeIf(t -> t.file().equals(transfer.file()));
        list.add(transfer);
        unreported.put(actionId, Binding.JSON.writeValueAsString(list));
        while (unreported.size() > KEEP_FINISHED) unreported.remove(unreported.keySet().iterator().next());
        write();
    }

    /** The server acknowledged the transfer report of this file: it need not be sent again. */
    public synchronized void reported(String actionId, String file) throws IOException {
        List<Feedback.Transfer> list = new ArrayList<>(parseTransfers(unreported.get(actionId)));
        if (!list.removeIf(t -> t.file().equals(file))) return;
        if (list.isEmpty()) unreported.remove(actionId);
        else unreported.put(actionId, Binding.JSON.writeValueAsString(list));
        write();
    }

    private static List<Feedback.Transfer> parseTransfers(String text) {
        if (text == null) return List.of();
        try {
            return List.of(Binding.JSON.readValue(text, Feedback.Transfer[].class));
        } catch (IOException | IllegalArgumentException e) {
            return List.of(); // a report is a bonus; the outcome counts
        }
    }

    public synchronized Optional<Open> open(String actionId) {
        return Optional.ofNullable(open.get(actionId));
    }

    /** The open actions, oldest first. */
    public synchronized Map<String, Open> openActions() {
        return new LinkedHashMap<>(open);
    }

    /** Records (replacing) what an unfinished action has swapped in so far. */
    public synchronized void begin(String actionId, Open state) throws IOException {
        open.put(actionId, state);
        write();
    }

    /** Records how an action ended; it is no longer open. */
    public synchronized void record(String actionId, Outcome outcome) throws IOException {
        record(actionId, outcome, List.of());
    }

    /**
     * Records how an action ended with the final serving health of its versions, so that a report
     * sent again (the first was lost) carries the same figures; the action is no longer open.
     */
    public synchronized void record(String actionId, Outcome outcome, List<ServingHealth> health) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("execution", outcome.execution());
        m.put("finished", outcome.finished());
        m.put("message", outcome.message());
        // As JSON text: the journal's canonical JSON holds no fractions, and the figures have them.
        if (health != null && !health.isEmpty()) m.put("health", Binding.JSON.writeValueAsString(health));
        String transfers = unreported.remove(actionId);
        if (transfers != null) m.put("transfers", transfers);
        finished.put(actionId, m);
        open.remove(actionId);
        // Only recent actions matter; keep the file small on a long-lived device.
        while (finished.size() > KEEP_FINISHED) finished.remove(finished.keySet().iterator().next());
        write();
    }

    private void write() throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> openMaps = new LinkedHashMap<>();
        open.forEach((k, v) -> openMaps.put(k, openToMap(v)));
        doc.put("finished", finished);
        doc.put("open", openMaps);
        doc.put("unreported", unreported);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(CanonicalJson.toPrettyString(doc).getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private static Map<String, Object> openToMap(Open o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", o.stage().name().toLowerCase(java.util.Locale.ROOT));
        m.put("since", o.since() == null ? null : o.since().toEpochMilli());
        List<Object> list = new ArrayList<>();
        for (Swapped s : o.swapped()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("model", s.model());
            e.put("version", s.version());
            e.put("from", s.from());
            e.put("baselineP99Nanos", s.baselineP99Nanos());
            e.put("baselineSamples", (long) s.baselineSamples());
            e.put("selfTest", s.selfTest());
            list.add(e);
        }
        m.put("swapped", list);
        m.put("swaps", (long) o.swaps());
        m.put("restarts", (long) o.restarts());
        m.put("watchedMillis", o.watched().toMillis());
        return m;
    }

    private static Open openFromMap(Map<?, ?> m) {
        List<Swapped> swapped = new ArrayList<>();
        for (Object o : (List<?>) m.get("swapped")) {
            Map<?, ?> e = (Map<?, ?>) o;
            swapped.add(new Swapped((String) e.get("model"), (String) e.get("version"), (String) e.get("from"),
                    (Long) e.get("baselineP99Nanos"), ((Long) e.get("baselineSamples")).intValue(), (String) e.get("selfTest")));
        }
        Long since = (Long) m.get("since");
        // Journals written before restarts were counted lack the last three: their defaults are what was meant then.
        return new Open(Stage.valueOf(((String) m.get("stage")).toUpperCase(java.util.Locale.ROOT)),
                since == null ? null : Instant.ofEpochMilli(since), swapped,
                m.get("swaps") instanceof Long n ? n.intValue() : swapped.size(),
                m.get("restarts") instanceof Long n ? n.intValue() : 0,
                Duration.ofMillis(m.get("watchedMillis") instanceof Long n ? n : 0L));
    }
}
