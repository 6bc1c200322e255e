package dev.modelyard.cli;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Models;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import dev.modelyard.wire.TargetDescriptor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "push", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upload FILE as an artifact of a draft version through the resumable upload API.",
                "The file is streamed in chunks while its SHA-256 is computed; the server checks the digest before it keeps "
                        + "the artifact. A broken connection is resumed from the offset the server holds (with backoff, "
                        + "--retries times in a row); a push that gave up, or was killed, continues with --resume.",
                "Progress (bytes, speed, time left) goes to stderr on a terminal, or with --progress=plain."})
final class PushCommand extends Action {

    static final long DEFAULT_CHUNK = 8L << 20;
    private static final Duration IDLE_DEADLINE = Duration.ofSeconds(120);
    /** Refusals after which the server holds no upload to resume. */
    private static final java.util.Set<String> GONE = java.util.Set.of("upload-not-found", "gone");

    @Mixin
    VersionRef ref;

    @Parameters(index = "2", paramLabel = "FILE")
    Path file;

    @Option(names = "--name", paramLabel = "FILENAME", description = "The artifact's name (default: FILE's name).")
    String name;

    @Mixin
    TargetSpec target;

    @Option(names = "--create-version", description = "Create the model and the draft version when they do not exist.")
    boolean createVersion;

    @Option(names = "--resume", description = "Continue the interrupted push of this file to this version instead of starting over.")
    boolean resume;

    @Option(names = "--chunk-size", paramLabel = "BYTES", defaultValue = "" + DEFAULT_CHUNK,
            description = "Bytes per request; a broken connection costs at most one chunk (default: ${DEFAULT-VALUE}).")
    long chunk;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "5",
            description = "How often to resume after a broken connection in a row before giving up (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto", converter = Progress.ModeConverter.class,
            description = "auto (a bar on a terminal), bar, plain (a line per tenth, for logs) or none (default: ${DEFAULT-VALUE}).")
    Progress.Mode progressMode;

    @Mixin
    Remote remote;

    @Mixin
    OutputFormat.Option output;

    @Override
    void run(Main.Context context) throws Exception {
        if (!Files.isRegularFile(file)) throw new CliException(file + ": no such file");
        if (chunk < 1) throw new CliException("--chunk-size: must be positive");
        ModelyardClient client = remote.client(context);
        Remote.Target where = remote.resolve(context);
        String filename = name != null ? name : file.getFileName().toString();
        TargetDescriptor descriptor = target.get();
        long size = Files.size(file);
        long modified = Files.getLastModifiedTime(file).toMillis();
        PushState state = new PushState(Config.path(context.env()));
        String key = PushState.key(where, ref.model, ref.version, filename, file);

        Artifacts.Upload upload;
        if (resume) {
            PushState.Pending p = state.find(key);
            if (p == null) throw new CliException("no interrupted push of " + file + " to " + ref.model + " " + ref.version + " to resume; push without --resume");
            if (p.size() != size || p.modifiedMillis() != modified) {
                throw new CliException(file + " changed since the interrupted push; push again without --resume");
            }
            upload = new Artifacts.Upload(UUID.fromString(p.id()), ref.model, ref.version, filename, descriptor, 0, null, null, p.url());
        } else {
            if (createVersion) ensureVersion(client);
            upload = client.artifacts().openUpload(ref.model, ref.version, filename, descriptor);
            state.put(key, new PushState.Pending(upload.url(), upload.id().toString(), file.toAbsolutePath().toString(), size, modified));
        }
        Artifacts.Artifact artifact;
        try {
            artifact = send(context, client, upload, size, resume, () -> state.remove(key));
        } catch (ApiProblemException e) {
            // The upload is gone (expired or finished elsewhere): nothing left to resume.
            if (GONE.contains(e.code())) state.remove(key);
            throw e;
        }
        state.remove(key);
        output.orElse(OutputFormat.TABLE).print(context.out(), artifact, () -> Describe.artifact(artifact));
    }

    private void ensureVersion(ModelyardClient client) {
        if (client.models().find(ref.model) == null) client.models().create(Models.NewModel.named(ref.model));
        try {
            client.versions().get(ref.model, ref.version);
        } catch (ApiProblemException e) {
            if (e.status() != 404) throw e;
            client.versions().create(ref.model, Versions.NewVersion.of(ref.version));
        }
    }

    /** What to do once the server holds no upload to resume. */
    interface SessionOver {
        void run() throws CliException;
    }

    private Artifacts.Artifact send(Main.Context context, ModelyardClient client, Artifacts.Upload upload, long size, boolean resumed,
                                    SessionOver over) throws Exception {
        Hasher hasher = new Hasher();
        long offset = resumed ? idle(client, upload).offset() : 0;
        if (offset > size) throw new CliException("the server holds more bytes (" + offset + ") than " + file + " has; push again without --resume");
        hasher.prefix(file, offset);
        Progress progress = Progress.start(context, progressMode, file.getFileName().toString(), size);
        if (resumed) progress.note("resuming at " + Progress.bytes(offset));
        progress.at(offset);
        int failures = 0;
        while (offset < size) {
            long from = offset;
            long length = Math.min(chunk, size - from);
            int attempt = hasher.nextAttempt();
            try {
                offset = client.artifacts().append(upload, from, () -> hasher.slice(file, from, length, attempt, progress), length);
                failures = 0;
            } catch (UncheckedIOException | ApiProblemException broken) {
                if (broken instanceof ApiProblemException p && !resumable(p)) throw p;
                if (++failures > retries) {
                    progress.finish();
                    throw new CliException("the upload broke " + failures + " times in a row at " + Progress.bytes(from)
                            + " (" + Main.oneLine(broken.getMessage()) + "); continue it with the same command and --resume");
                }
                Duration wait = backoff(failures);
                progress.note("connection broke at " + Progress.bytes(from) + "; resuming in " + wait.toSeconds() + " s (" + failures + "/" + retries + ")");
                Thread.sleep(wait.toMillis());
                offset = idle(client, upload).offset();
            }
            progress.at(offset);
        }
        progress.finish();
        try {
            return client.artifacts().finishUpload(upload, hasher.hex(), null);
        } catch (ApiProblemException e) {
            // A refused finish (digest, model check, target taken) ends the upload on the server; a busy one does not.
            if (!"concurrent-request".equals(e.code())) over.run();
            throw e;
        }
    }

    /** Refusals worth another try: the server still finishing the broken request, or a changed offset. */
    private static boolean resumable(ApiProblemException p) {
        return "concurrent-request".equals(p.code()) || "upload-offset-mismatch".equals(p.code()) || p.status() >= 500
                || "rate-limited".equals(p.code());
    }

    static Duration backoff(int failures) {
        return Duration.ofSeconds(Math.min(30, 1L << Math.min(5, failures - 1)));
    }

    /** The upload once no request is appending to it any more (a broken one may still be running on the server). */
    private static Artifacts.UploadState idle(ModelyardClient client, Artifacts.Upload upload) throws InterruptedException {
        long deadline = System.nanoTime() + IDLE_DEADLINE.toNanos();
        while (true) {
            Artifacts.UploadState s = client.artifacts().uploadState(upload);
            if (!s.appending() || System.nanoTime() > deadline) return s;
            Thread.sleep(500);
        }
    }

    /**
     * The SHA-256 of the file, fed from the very bytes that are sent: a byte is hashed the first
     * time it is read; a chunk sent again after a cut starts at or before that point and adds only
     * what is new. A stream of an attempt that was given up feeds nothing.
     */
    static final class Hasher {
        private final MessageDigest sha;
        private long hashed;
        private int attempt;

        Hasher() throws java.security.NoSuchAlgorithmException {
            sha = MessageDigest.getInstance("SHA-256");
        }

        synchronized int nextAttempt() {
            return ++attempt;
        }

        /** Hashes the first {@code n} bytes from the local file (what a resumed upload already holds). */
        void prefix(Path file, long n) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                long left = n;
                while (left > 0) {
                    int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (r < 0) throw new IOException(file + " is shorter than the upload's offset");
                    feed(attempt, hashed, buf, 0, r);
                    left -= r;
                }
            }
        }

        synchronized void feed(int from, long position, byte[] b, int off, int n) {
            if (from != attempt) return;
            long end = position + n;
            if (end <= hashed) return;
            int skip = (int) Math.max(0, hashed - position);
            sha.update(b, off + skip, n - skip);
            hashed = end;
        }

        synchronized String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }

        InputStream slice(Path file, long from, long length, int of, Progress progress) {
            try {
                InputStream in = Files.newInputStream(file);
                in.skipNBytes(from);
                return new FilterInputStream(in) {
                    private long position = from;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        long left = from + length - position;
                        if (left <= 0) return -1;
                        int n = super.read(b, off, (int) Math.min(len, left));
                        if (n > 0) {
                            feed(of, position, b, off, n);
                            position += n;
                            progress.at(position);
                        }
                        return n;
                    }

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
