package dev.modelyard.device.delta;

import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.trust.CanonicalJson;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one payload's download has been through, kept next to it in the downloads directory
 * ({@code <action>-<file>.transfer.json}) so that a restart neither tries a way that already
 * failed again nor forgets the bytes it cost, and reports the way that filled the payload's
 * partial file. Written atomically; one that cannot be read is taken as none (the ways are tried
 * again, which costs bytes but never installs anything unverified).
 *
 * @param failed   the offers (delta filenames) given up on
 * @param bytes    bytes the ways given up on downloaded
 * @param fallback why they were given up, in order; null when none was
 * @param way      the way that fills (or filled) the payload's partial file: kind, method, base, bytes; null until one is chosen
 * @param stalled  per offer (delta filename), the attempts in a row whose download failed transiently without
 *                 a byte more: kept on disk so that a server failing the same delta poll after poll (and
 *                 restart after restart) ends in the fallback instead of retrying it forever
 */
record TransferState(Set<String> failed, long bytes, String fallback, Way way, Map<String, Integer> stalled) {

    /** Longest fallback text kept: it ends up in a feedback field the server bounds. */
    static final int MAX_FALLBACK = 400;

    record Way(String kind, String method, String base, long bytes) {
    }

    static final TransferState NONE = new TransferState(Set.of(), 0, null, null, Map.of());

    TransferState {
        failed = Set.copyOf(failed);
        stalled = Map.copyOf(stalled);
    }

    /** Another attempt at {@code offer} failed transiently without downloading a byte more. */
    TransferState stalledOn(String offer) {
        Map<String, Integer> s = new HashMap<>(stalled);
        s.merge(offer, 1, Integer::sum);
        return new TransferState(failed, bytes, fallback, way, s);
    }

    /** An attempt at {@code offer} downloaded something: the count of attempts in a row that did not starts over. */
    TransferState progressedOn(String offer) {
        if (!stalled.containsKey(offer)) return this;
        Map<String, Integer> s = new HashMap<>(stalled);
        s.remove(offer);
        return new TransferState(failed, bytes, fallback, way, s);
    }

    int stalls(String offer) {
        return stalled.getOrDefault(offer, 0);
    }

    TransferState givenUp(String offer, long cost, String reason) {
        Set<String> f = new LinkedHashSet<>(failed);
        f.add(offer);
        String text = fallback == null ? reason : fallback + "; " + reason;
        if (text.length() > MAX_FALLBACK) text = text.substring(0, MAX_FALLBACK - 1) + "…";
        return new TransferState(f, bytes + cost, text, null, stalled);
    }

    TransferState choosing(Way w) {
        return new TransferState(failed, bytes, fallback, w, stalled);
    }

    /** The report for the payload, once {@link #way} filled it. */
    Feedback.Transfer transfer(String file, long fullSize) {
        Way w = way == null ? new Way(Feedback.Transfer.FULL, null, null, fullSize) : way;
        return new Feedback.Transfer(file, w.kind(), w.method(), w.base(), bytes + w.bytes(), fullSize, fallback);
    }

    static TransferState read(Path file) {
        if (!Files.exists(file)) return NONE;
        try {
            Map<?, ?> m = (Map<?, ?>) CanonicalJson.parse(Files.readAllBytes(file));
            Set<String> failed = new LinkedHashSet<>();
            for (Object o : (List<?>) m.get("failed")) failed.add((String) o);
            Way way = m.get("way") instanceof Map<?, ?> w
                    ? new Way((String) w.get("kind"), (String) w.get("method"), (String) w.get("base"), (Long) w.get("bytes"))
                    : null;
            Map<String, Integer> stalled = new HashMap<>();
            // Absent from a file an earlier version wrote: no stalls counted yet.
            if (m.get("stalled") instanceof Map<?, ?> s) s.forEach((k, v) -> stalled.put((String) k, ((Long) v).intValue()));
            return new TransferState(failed, (Long) m.get("bytes"), (String) m.get("fallback"), way, stalled);
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
    }

    void write(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("failed", new ArrayList<>(failed));
        m.put("bytes", bytes);
        m.put("fallback", fallback);
        if (way != null) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("kind", way.kind());
            w.put("method", way.method());
            w.put("base", way.base());
            w.put("bytes", way.bytes());
            m.put("way", w);
        }
        if (!stalled.isEmpty()) m.put("stalled", new TreeMap<>(stalled));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(CanonicalJson.toPrettyString(m).getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
