package dev.modelyard.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The uploads an interrupted {@code push} left open, so {@code push --resume} finds its upload
 * again: one small file next to the config file, keyed by server, tenant, model, version, artifact
 * name and local file. It holds upload addresses only, never a token.
 */
final class PushState {

    /** An open upload of a local file, as it was when the push started. */
    record Pending(String url, String id, String file, long size, long modifiedMillis) {
    }

    private final Path file;

    PushState(Path configFile) {
        this.file = configFile.toAbsolutePath().resolveSibling("uploads.yaml");
    }

    static String key(Remote.Target target, String model, String version, String filename, Path local) {
        return String.join(" ", target.server().toString(), target.tenant() == null ? "-" : target.tenant(), model, version,
                filename, local.toAbsolutePath().normalize().toString());
    }

    Pending find(String key) throws CliException {
        return read().get(key);
    }

    void put(String key, Pending pending) throws CliException {
        Map<String, Pending> all = read();
        all.put(key, pending);
        write(all);
    }

    void remove(String key) throws CliException {
        Map<String, Pending> all = read();
        if (all.remove(key) != null) write(all);
    }

    private Map<String, Pending> read() throws CliException {
        if (!Files.exists(file)) return new TreeMap<>();
        try {
            Map<String, Pending> m = OutputFormat.yamlMapper().readValue(file.toFile(), new TypeReference<TreeMap<String, Pending>>() { });
            return m == null ? new TreeMap<>() : m;
        } catch (IOException e) {
            throw new CliException(file + ": unreadable (delete it to forget interrupted pushes): " + Io.describe(e));
        }
    }

    private void write(Map<String, Pending> all) throws CliException {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".uploads", ".tmp");
            try {
                Files.writeString(tmp, OutputFormat.yamlMapper().writeValueAsString(all));
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CliException(file + ": cannot write: " + Io.describe(e));
        }
    }
}
