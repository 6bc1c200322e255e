package dev.modelyard.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The contexts {@code modelyard login} stores: which server, tenant and token a name stands for,
 * and which one is current. The file holds a token only when asked to ({@code --store-token});
 * by default it names where the token is (a file or an environment variable), so the file can be
 * shown or backed up without leaking a secret. It is written with mode 0600 anyway, atomically.
 */
record Config(@JsonProperty("current-context") String currentContext, List<Entry> contexts) {

    static final String CONFIG_ENV = "MODELYARD_CONFIG";
    static final String CONTEXT_ENV = "MODELYARD_CONTEXT";

    /**
     * One context. Exactly one of {@code tokenFile}, {@code tokenEnv}, {@code token};
     * {@code trustBundle}, when set, is the root {@code pull} verifies releases against.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(String name, String server, String tenant, @JsonProperty("token-file") String tokenFile,
                 @JsonProperty("token-env") String tokenEnv, String token,
                 @JsonProperty("trust-bundle") String trustBundle) {

        /** How the token is found, for people: never the token itself. */
        String tokenSource() {
            if (tokenFile != null) return "file " + tokenFile;
            if (tokenEnv != null) return "environment variable " + tokenEnv;
            return token != null ? "stored in the config file" : "none";
        }
    }

    Config {
        contexts = contexts == null ? List.of() : List.copyOf(contexts);
    }

    static Config empty() {
        return new Config(null, List.of());
    }

    /** {@value #CONFIG_ENV}, or {@code ~/.config/modelyard/config.yaml}. */
    static Path path(Function<String, String> env) {
        String explicit = env.apply(CONFIG_ENV);
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit.strip());
        return Path.of(System.getProperty("user.home"), ".config", "modelyard", "config.yaml");
    }

    static Config load(Path file) throws CliException {
        if (!Files.exists(file)) return empty();
        try {
            Config c = OutputFormat.yamlMapper().readValue(file.toFile(), Config.class);
            return c == null ? empty() : c;
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
            throw new CliException(file + where + ": not a modelyard config file: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CliException(file + ": " + Io.describe(e));
        }
    }

    /** Writes the file (owner-only: it may name or hold a token) by write-temp-then-rename. */
    void save(Path file) throws CliException {
        ObjectMapper yaml = OutputFormat.yamlMapper();
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".config", ".tmp");
            try {
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                }
                Files.writeString(tmp, yaml.writeValueAsString(this));
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CliException(file + ": cannot write: " + Io.describe(e));
        }
    }

    Optional<Entry> find(String name) {
        return contexts.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    Entry require(String name) throws CliException {
        Optional<Entry> e = find(name);
        if (e.isEmpty()) {
            throw new CliException("no context '" + name + "'" + (contexts.isEmpty() ? "; create one with 'modelyard login'"
                    : "; known: " + String.join(", ", contexts.stream().map(Entry::name).toList())));
        }
        return e.get();
    }

    /** This config with {@code entry} added or replacing the one of its name. */
    Config with(Entry entry, boolean makeCurrent) {
        List<Entry> next = new ArrayList<>(contexts.stream().filter(c -> !c.name().equals(entry.name())).toList());
        next.add(entry);
        next.sort(java.util.Comparator.comparing(Entry::name));
        return new Config(makeCurrent || currentContext == null ? entry.name() : currentContext, next);
    }

    Config without(String name) {
        return new Config(name.equals(currentContext) ? null : currentContext,
                contexts.stream().filter(c -> !c.name().equals(name)).toList());
    }

    Config use(String name) {
        return new Config(name, contexts);
    }
}
