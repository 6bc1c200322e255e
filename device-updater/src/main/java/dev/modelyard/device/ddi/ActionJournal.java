package dev.modelyard.device.ddi;

import dev.modelyard.wire.trust.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The final outcome of each action the device finished, written atomically, so a restart neither
 * repeats an installation nor loses the report: if the server still offers a finished action
 * (its feedback was lost), the outcome is sent again.
 */
public final class ActionJournal {

    private final Path file;
    private final Map<String, Object> outcomes = new LinkedHashMap<>();

    /** How an action ended: execution (closed, canceled), finished (success, failure) and a message. */
    public record Outcome(String execution, String finished, String message) {
    }

    public ActionJournal(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try {
                Object parsed = CanonicalJson.parse(Files.readAllBytes(file));
                if (parsed instanceof Map<?, ?> m) m.forEach((k, v) -> outcomes.put((String) k, v));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            } catch (IllegalArgumentException e) {
                // A journal that cannot be parsed was never completely written: start afresh.
                outcomes.clear();
            }
        }
    }

    public synchronized Optional<Outcome> outcome(String actionId) {
        Object o = outcomes.get(actionId);
        if (!(o instanceof Map<?, ?> m)) return Optional.empty();
        return Optional.of(new Outcome((String) m.get("execution"), (String) m.get("finished"), (String) m.get("message")));
    }

    public synchronized void record(String actionId, Outcome outcome) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("execution", outcome.execution());
        m.put("finished", outcome.finished());
        m.put("message", outcome.message());
        outcomes.put(actionId, m);
        // Only recent actions matter; keep the file small on a long-lived device.
        while (outcomes.size() > 200) outcomes.remove(outcomes.keySet().iterator().next());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(CanonicalJson.toPrettyString(outcomes).getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
