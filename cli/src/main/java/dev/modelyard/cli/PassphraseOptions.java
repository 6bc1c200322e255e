package dev.modelyard.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a command's one passphrase comes from; it applies to every key file the command opens. */
final class PassphraseOptions {

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "Read the passphrase from the first line of FILE. It applies to every key of this command.")
    Path file;

    @Option(names = "--passphrase-env", paramLabel = "VAR",
            description = "Read the passphrase from environment variable VAR. It applies to every key of this command.")
    String variable;

    /** The passphrase, or null when none was given. */
    char[] get(Main.Context context) throws CliException {
        if (file != null && variable != null) {
            throw new CliException("give either --passphrase-file or --passphrase-env, not both");
        }
        if (file != null) {
            String text = new String(Io.read(file), StandardCharsets.UTF_8);
            String first = text.lines().findFirst().orElse("");
            if (first.isEmpty()) throw new CliException(file + ": the first line (the passphrase) is empty");
            return first.toCharArray();
        }
        if (variable != null) {
            String value = context.env().apply(variable);
            if (value == null) throw new CliException("environment variable " + variable + " is not set");
            if (value.isEmpty()) throw new CliException("environment variable " + variable + " is empty");
            return value.toCharArray();
        }
        return null;
    }

    boolean given() {
        return file != null || variable != null;
    }
}
