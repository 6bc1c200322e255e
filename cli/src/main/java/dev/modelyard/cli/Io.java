package dev.modelyard.cli;

import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Files, documents and times as the commands read and write them. */
final class Io {

    private static final Pattern DAYS = Pattern.compile("([1-9][0-9]{0,4})d");
    private static final Pattern TIME = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z");

    private Io() {
    }

    /** The file's bytes; a missing or unreadable file is a one-line error. */
    static byte[] read(Path file) throws CliException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CliException(describe(e));
        }
    }

    /** Writes (or replaces) an output file. */
    static void write(Path file, byte[] content) throws CliException {
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw new CliException(describe(e));
        }
    }

    /** A signed envelope, parsed strictly; the error names the file. */
    static SignedEnvelope readEnvelope(Path file) throws CliException {
        byte[] bytes = read(file);
        try {
            return SignedEnvelope.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    /**
     * The root metadata inside an envelope, read without checking any signature (callers that
     * trust it check them with a {@code TrustStore}).
     */
    static RootMetadata rootOf(SignedEnvelope envelope, Path file) throws CliException {
        if (!RootMetadata.TYPE.equals(envelope.type())) {
            throw new CliException(file + ": _type is " + envelope.type() + ", expected root");
        }
        try {
            return RootMetadata.fromMap(envelope.signed());
        } catch (IllegalArgumentException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    /**
     * An expiry given as a number of days from now ({@code 365d}) or as a UTC time
     * ({@code 2027-01-01T00:00:00Z}); it must lie in the future.
     */
    static Instant expiry(String text, Clock clock) throws CliException {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expires;
        Matcher days = DAYS.matcher(text);
        if (days.matches()) {
            expires = now.plus(Duration.ofDays(Long.parseLong(days.group(1))));
        } else if (TIME.matcher(text).matches()) {
            try {
                expires = Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new CliException("--expires: '" + text + "' is not a valid time");
            }
        } else {
            throw new CliException("--expires: '" + text + "' is neither a number of days (365d) nor a UTC time (2027-01-01T00:00:00Z)");
        }
        if (!expires.isAfter(now)) {
            throw new CliException("--expires: " + time(expires) + " is not in the future (now " + time(now) + ")");
        }
        return expires;
    }

    static String time(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** What went wrong with a file, in words rather than an exception class name. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) return n.getFile() + ": no such file or directory";
        if (e instanceof FileAlreadyExistsException x) return x.getFile() + ": already exists";
        if (e instanceof AccessDeniedException a) return a.getFile() + ": permission denied";
        if (e instanceof NotDirectoryException d) return d.getFile() + ": not a directory";
        if (e instanceof DirectoryNotEmptyException d) return d.getFile() + ": directory not empty";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
