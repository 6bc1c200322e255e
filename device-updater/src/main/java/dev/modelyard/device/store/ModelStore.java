package dev.modelyard.device.store;

import dev.modelyard.wire.trust.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The device's models on disk, safe against a power cut at any instant.
 *
 * <p>Each installed version is an immutable directory {@code <root>/<model>/versions/<counter>-<sha>/}
 * holding the model file and its signed release metadata. Which version is {@code current},
 * {@code previous} or {@code candidate} is recorded only in {@code <root>/<model>/journal.json},
 * which is replaced atomically (write temp → fsync → rename → fsync directory). Every state
 * change is therefore one rename: after a crash the journal is either the old or the new one,
 * and both name complete, verified directories. Directories no slot names are removed on open.
 */
public final class ModelStore {

    private static final Logger LOG = Logger.getLogger(ModelStore.class.getName());
    private static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final String JOURNAL = "journal.json";
    private static final String RELEASE = "release.json";

    private final Path root;

    /** One installed version. */
    public record Installed(String version, long releaseCounter, String sha256, String filename, String dir) {

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", version);
            m.put("releaseCounter", releaseCounter);
            m.put("sha256", sha256);
            m.put("filename", filename);
            m.put("dir", dir);
            return m;
        }

        static Installed fromMap(Object o) {
            if (o == null) return null;
            Map<?, ?> m = (Map<?, ?>) o;
            return new Installed((String) m.get("version"), (Long) m.get("releaseCounter"), (String) m.get("sha256"),
                    (String) m.get("filename"), (String) m.get("dir"));
        }
    }

    /** The three named slots of a model; any may be empty (null). */
    public record Slots(Installed current, Installed previous, Installed candidate) {

        public static final Slots EMPTY = new Slots(null, null, null);

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("current", current == null ? null : current.toMap());
            m.put("previous", previous == null ? null : previous.toMap());
            m.put("candidate", candidate == null ? null : candidate.toMap());
            return m;
        }

        Set<String> dirs() {
            Set<String> d = new HashSet<>();
            for (Installed i : new Installed[]{current, previous, candidate}) {
                if (i != null) d.add(i.dir());
            }
            return d;
        }
    }

    /** Opens (creating if needed) the store and removes what an interrupted operation left behind. */
    public ModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
            for (String model : models()) {
                recover(model);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the model store at " + this.root, e);
        }
    }

    public Set<String> models() {
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path d : dirs) {
                String n = d.getFileName().toString();
                if (MODEL_NAME.matcher(n).matches()) names.add(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    public synchronized Slots slots(String model) {
        Path journal = modelDir(model).resolve(JOURNAL);
        if (!Files.exists(journal)) return Slots.EMPTY;
        try {
            Map<?, ?> m = (Map<?, ?>) CanonicalJson.parse(Files.readAllBytes(journal));
            return new Slots(Installed.fromMap(m.get("current")), Installed.fromMap(m.get("previous")),
                    Installed.fromMap(m.get("candidate")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal of " + model, e);
        }
    }

    /** The model file of an installed version. */
    public Path file(String model, Installed installed) {
        return modelDir(model).resolve("versions").resolve(installed.dir()).resolve(installed.filename());
    }

    /** The signed release metadata stored next to an installed version. */
    public Path release(String model, Installed installed) {
        return modelDir(model).resolve("versions").resolve(installed.dir()).resolve(RELEASE);
    }

    /**
     * Moves a verified model file and its signed metadata into a new version directory and
     * records it as the model's candidate (replacing any earlier candidate).
     */
    public synchronized Installed stage(String model, Path verifiedFile, String filename, String releaseJson,
                                        String version, long releaseCounter, String sha256) throws IOException {
        Path versions = Files.createDirectories(modelDir(model).resolve("versions"));
        Path incoming = versions.resolve(".incoming-" + UUID.randomUUID());
        Files.createDirectory(incoming);
        try {
            Path target = incoming.resolve(filename);
            Files.move(verifiedFile, target, StandardCopyOption.REPLACE_EXISTING);
            fsync(target);
            Path release = incoming.resolve(RELEASE);
            Files.writeString(release, releaseJson);
            fsync(release);
            fsync(incoming);
            String dir = releaseCounter + "-" + sha256.substring(0, 12);
            Path finalDir = versions.resolve(dir);
            if (Files.exists(finalDir)) deleteTree(finalDir);
            Files.move(incoming, finalDir, StandardCopyOption.ATOMIC_MOVE);
            fsync(versions);
            Installed installed = new Installed(version, releaseCounter, sha256, filename, dir);
            Slots s = slots(model);
            writeJournal(model, new Slots(s.current(), s.previous(), installed));
            return installed;
        } finally {
            if (Files.exists(incoming)) deleteTree(incoming);
        }
    }

    /**
     * Candidate becomes current; the old current becomes previous. Only the journal's atomic
     * rename: when this returns normally the new version is current, when it throws it is not.
     * The version directories no slot names any more stay until {@link #removeUnused(String)}.
     */
    public synchronized void promote(String model) throws IOException {
        Slots s = slots(model);
        if (s.candidate() == null) throw new IllegalStateException(model + " has no candidate to promote");
        writeJournal(model, new Slots(s.candidate(), s.current() != null ? s.current() : s.previous(), null));
    }

    /**
     * Deletes the version directories no slot names (e.g. the one a promotion pushed out). Only
     * disk space depends on it: the journal already says what is current, so a failure here
     * changes nothing a restart or the runtime sees, and the next clean-up tries again.
     */
    public synchronized void removeUnused(String model) throws IOException {
        collect(model);
    }

    public synchronized void discardCandidate(String model) throws IOException {
        Slots s = slots(model);
        if (s.candidate() == null) return;
        writeJournal(model, new Slots(s.current(), s.previous(), null));
        collect(model);
    }

    /** Previous becomes current and current becomes previous, so the change can be undone the same way. */
    public synchronized void rollback(String model) throws IOException {
        Slots s = slots(model);
        if (s.previous() == null) throw new IllegalStateException(model + " has no previous version to roll back to");
        writeJournal(model, new Slots(s.previous(), s.current(), s.candidate()));
    }

    private void recover(String model) throws IOException {
        Path dir = modelDir(model);
        try (Stream<Path> leftovers = Files.list(dir)) {
            for (Path p : leftovers.filter(p -> p.getFileName().toString().startsWith(".journal-")).toList()) {
                Files.deleteIfExists(p);
            }
        }
        try {
            collect(model);
        } catch (IOException e) {
            // Left-over directories only cost space; a store that cannot delete them still serves.
            LOG.warning("cannot remove unused versions of " + model + ": " + e.getMessage());
        }
    }

    /** Deletes version directories (and unfinished incoming ones) that no slot names. */
    private void collect(String model) throws IOException {
        Path versions = modelDir(model).resolve("versions");
        if (!Files.isDirectory(versions)) return;
        Set<String> keep = slots(model).dirs();
        List<Path> remove = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(versions)) {
            for (Path d : dirs) {
                if (!keep.contains(d.getFileName().toString())) remove.add(d);
            }
        }
        for (Path d : remove) deleteTree(d);
    }

    private void writeJournal(String model, Slots slots) throws IOException {
        Path dir = Files.createDirectories(modelDir(model));
        Path tmp = dir.resolve(".journal-" + UUID.randomUUID());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(CanonicalJson.toPrettyString(slots.toMap()).getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(JOURNAL), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsync(dir);
    }

    private Path modelDir(String model) {
        if (!MODEL_NAME.matcher(model).matches()) throw new IllegalArgumentException("not a model name: " + model);
        return root.resolve(model);
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, Files.isDirectory(p) ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
