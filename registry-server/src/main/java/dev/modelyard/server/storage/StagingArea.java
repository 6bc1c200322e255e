package dev.modelyard.server.storage;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Local directory where uploads land while they are hashed and checked. Nothing here is visible
 * through the API; files move into the blob store only once their digest is verified.
 */
public class StagingArea {

    private static final int BUFFER = 256 * 1024;
    /** Flush to disk in the background every this many bytes, so the final fsync has little left to do. */
    private static final long FLUSH_EVERY = 64L * 1024 * 1024;
    private static final ExecutorService FLUSHER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "staging-flush");
        t.setDaemon(true);
        return t;
    });

    /** Names this directory for good: rows of resumable uploads record where their bytes are. */
    private static final String ID_FILE = ".staging-id";
    /** Locked shared by every process using this directory; see {@link #join}. */
    private static final String LOCK_FILE = ".lock";
    /** Per JVM, because file locks are: directories this JVM uses, and by how many instances. */
    private static final Map<Path, Users> USERS = new HashMap<>();

    private final Path dir;
    private final boolean durable;
    private final String id;
    private boolean joined;

    /** @param durable fsync staged files, because the blob store will rename them into place */
    public StagingArea(Path dir, boolean durable) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        this.durable = durable;
        Files.createDirectories(this.dir);
        this.id = readOrCreateId(this.dir.resolve(ID_FILE));
    }

    public Path dir() {
        return dir;
    }

    /**
     * This directory's identity, kept in the directory itself: it is the same after a restart and
     * changes with the disk (a replica that comes back on an empty disk holds no old bytes).
     */
    public String id() {
        return id;
    }

    /**
     * Joins this directory's users for as long as this process runs (or until {@link #release()}),
     * running {@code ifAlone} first if, and only if, no other live process uses the directory.
     * Returns whether it ran.
     * <p>
     * Every user holds a shared lock on {@code .lock} for its whole life; {@code ifAlone} runs
     * under an exclusive lock, which the operating system grants only while nobody holds the
     * shared one. Java file locks belong to the whole JVM and one JVM cannot hold a shared and an
     * exclusive lock on one file at once, so the exclusive lock is tried first and then given back
     * for the shared one; while this JVM already uses the directory (another instance, as in tests),
     * it is not alone. Locks are released by the operating system when a process dies, so a
     * crashed replica never keeps the others from cleaning up; on a network file system the locks
     * are only as good as its lock service (NFSv4 has one built in; NFSv3 needs lockd).
     */
    public boolean join(IoAction ifAlone) throws IOException {
        synchronized (USERS) {
            Users users = USERS.get(dir);
            if (users != null) {
                // This JVM already holds the shared lock for another instance, or for this one.
                if (joined) return aloneAgain(users, ifAlone);
                users.count++;
                joined = true;
                return false;
            }
            FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE),
                    StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                boolean ran = runIfExclusive(channel, ifAlone);
                FileLock shared = channel.lock(0, Long.MAX_VALUE, true);
                USERS.put(dir, new Users(channel, shared));
                joined = true;
                return ran;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
    }

    /**
     * A process that has joined and is the only user in its JVM gives its shared lock back for a
     * moment to try the exclusive one (Java cannot upgrade a lock in place).
     */
    private boolean aloneAgain(Users users, IoAction ifAlone) throws IOException {
        if (users.count > 1) return false;
        users.lock.release();
        try {
            return runIfExclusive(users.channel, ifAlone);
        } finally {
            users.lock = users.channel.lock(0, Long.MAX_VALUE, true);
        }
    }

    private static boolean runIfExclusive(FileChannel channel, IoAction action) throws IOException {
        FileLock exclusive;
        try {
            exclusive = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            exclusive = null;
        }
        if (exclusive == null) return false;
        try {
            action.run();
            return true;
        } finally {
            exclusive.release();
        }
    }

    /** Leaves the users of {@link #join}; the last one in this JVM gives the shared lock back. */
    public void release() {
        synchronized (USERS) {
            if (!joined) return;
            joined = false;
            Users users = USERS.get(dir);
            if (users == null || --users.count > 0) return;
            USERS.remove(dir);
            try {
                users.channel.close();
            } catch (IOException ignored) {
                // closing releases the lock; the process' exit would too
            }
        }
    }

    /** Work done while holding a directory's exclusive lock. */
    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException;
    }

    /** This JVM's users of one directory and the shared lock they hold together. */
    private static final class Users {
        final FileChannel channel;
        FileLock lock;
        int count = 1;

        Users(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }
    }

    /** Created once with a hard link, so that two processes starting together agree on one id. */
    private static String readOrCreateId(Path file) throws IOException {
        if (!Files.exists(file)) {
            Path temp = Files.createTempFile(file.getParent(), ".staging-id", ".tmp");
            try {
                Files.writeString(temp, UUID.randomUUID().toString());
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException raced) {
                // another process created it first: use theirs
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return Files.readString(file).strip();
    }

    /** The id of a resumable upload whose data file this is; empty for any other file. */
    public static Optional<UUID> sessionOf(Path file) {
        String name = file.getFileName().toString();
        if (!name.startsWith("session-") || !name.endsWith(".part")) return Optional.empty();
        try {
            return Optional.of(UUID.fromString(name.substring("session-".length(), name.length() - ".part".length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Removes what a crash left here, written before {@code before} (this process' start): files
     * of single uploads, data files of resumable uploads for which {@code sessionExists} says no,
     * and everything in {@code multipart} (where the HTTP layer puts form uploads). Call it only
     * as the {@code ifAlone} action of {@link #join}. Returns how many files were removed.
     */
    public int removeLeftovers(Instant before, Predicate<UUID> sessionExists, Path multipart) throws IOException {
        int removed = sweep(before, f -> sessionOf(f).map(sessionExists::test).orElse(false));
        Path forms = multipart.toAbsolutePath().normalize();
        if (Files.isDirectory(forms)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(forms)) {
                for (Path f : files) {
                    if (removeIfOlder(f, before)) removed++;
                }
            }
        }
        return removed;
    }

    private static boolean removeIfOlder(Path f, Instant before) throws IOException {
        try {
            if (Files.isRegularFile(f) && Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
                return Files.deleteIfExists(f);
            }
        } catch (NoSuchFileException ignored) {
            // removed concurrently
        }
        return false;
    }

    /** Path of a resumable upload's data file. */
    public Path sessionFile(UUID session) {
        return dir.resolve("session-" + session + ".part");
    }

    /**
     * Copies {@code in} to a new staging file while hashing it. More than {@code maxBytes} is
     * refused with BODY_TOO_LARGE; any failure removes the partial file.
     */
    public StagedFile receive(InputStream in, long maxBytes) throws IOException {
        Path file = dir.resolve("upload-" + UUID.randomUUID() + ".part");
        MessageDigest sha = Digests.sha256();
        boolean ok = false;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = copy(in, out, sha, maxBytes, durable ? new BackgroundFlush(out) : null);
            if (durable) out.force(false);
            ok = true;
            return new StagedFile(file, Digests.hex(sha.digest()), size);
        } finally {
            if (!ok) Files.deleteIfExists(file);
        }
    }

    /**
     * Appends {@code in} to a resumable upload's file, which must currently hold exactly
     * {@code expectedOffset} bytes. Returns the new length. When the body is cut off (the client
     * vanished, or was ended for being too slow), the bytes received so far are made durable and
     * kept, and {@link CutShort} tells the new length, so the client resumes from there instead of
     * sending them again. On any other failure the file is cut back to {@code expectedOffset}.
     */
    public long append(Path file, long expectedOffset, InputStream in, long maxTotal) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (out.size() < expectedOffset) {
                throw new IOException("upload data file is shorter than its recorded offset");
            }
            out.truncate(expectedOffset);
            out.position(expectedOffset);
            boolean keep = false;
            try {
                copy(new BodyReads(in), out, null, maxTotal - expectedOffset, new BackgroundFlush(out));
                out.force(false);
                keep = true;
                return out.size();
            } catch (BodyCut cut) {
                // Every byte read was written before the next read, so the file holds exactly what arrived.
                out.force(false);
                keep = true;
                throw new CutShort(out.size(), cut.getCause());
            } finally {
                if (!keep) out.truncate(expectedOffset);
            }
        }
    }

    /** A resumable append whose body was cut off; {@link #length()} bytes are durable and kept. */
    public static final class CutShort extends IOException {
        private final long length;

        CutShort(long length, Throwable cause) {
            // The cause says why: a broken connection, or a guard's refusal to rethrow as it is.
            super("the body was cut off after the upload reached " + length + " bytes: " + cause.getMessage(), cause);
            this.length = length;
        }

        public long length() {
            return length;
        }
    }

    /**
     * Marks a failure to read the request body (the connection failed, or a guard on the body
     * refused it, e.g. for arriving too slowly), as opposed to one writing the file.
     */
    private static final class BodyCut extends IOException {
        BodyCut(Exception cause) {
            super(cause);
        }
    }

    private static final class BodyReads extends java.io.FilterInputStream {
        BodyReads(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw new BodyCut(e);
            }
        }
    }

    /**
     * Hashes a complete resumable upload and turns it into a staged file. Bytes past the
     * acknowledged length (from an append cut short by a crash) are dropped; fewer bytes than
     * acknowledged is an error.
     */
    public StagedFile seal(Path file, long acknowledged) throws IOException {
        MessageDigest sha = Digests.sha256();
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long size = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() < acknowledged) {
                throw new IOException("the data file has " + ch.size() + " bytes");
            }
            ch.truncate(acknowledged);
            int n;
            while ((n = ch.read(buf)) >= 0) {
                buf.flip();
                sha.update(buf);
                buf.clear();
                size += n;
            }
        }
        return new StagedFile(file, Digests.hex(sha.digest()), size);
    }

    /** STORAGE_FULL up front when the staging disk cannot hold {@code bytes} more (unknown length: -1, not checked). */
    public void checkRoomFor(long bytes) {
        if (bytes < 0) return;
        long usable;
        try {
            usable = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return; // the write itself will tell
        }
        if (bytes > usable) {
            throw DomainException.of(ErrorCode.STORAGE_FULL, "the server has " + usable + " bytes of free staging space and cannot take "
                    + bytes + " bytes; nothing was stored");
        }
    }

    static long copy(InputStream in, FileChannel out, MessageDigest sha, long maxBytes, BackgroundFlush flush)
            throws IOException {
        byte[] buf = new byte[BUFFER];
        ByteBuffer wrap = ByteBuffer.wrap(buf);
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            total += n;
            if (total > maxBytes) {
                throw DomainException.of(ErrorCode.BODY_TOO_LARGE, "upload is larger than the limit of " + maxBytes + " bytes");
            }
            if (sha != null) sha.update(buf, 0, n);
            wrap.clear().limit(n);
            try {
                while (wrap.hasRemaining()) out.write(wrap);
            } catch (IOException e) {
                if (outOfSpace(e)) {
                    throw DomainException.of(ErrorCode.STORAGE_FULL, "the server ran out of staging space after " + (total - n)
                            + " bytes; nothing was stored");
                }
                throw e;
            }
            if (flush != null) flush.wrote(n);
        }
        return total;
    }

    /**
     * ENOSPC as the JDK reports it (strerror's text, which a non-English C locale would change);
     * a full disk is the server's condition, not a broken upload.
     */
    private static boolean outOfSpace(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"));
    }

    /**
     * Writes dirty pages back while the upload is still arriving. The disk is then busy in
     * parallel with the network instead of after it, and the closing fsync is short.
     */
    static final class BackgroundFlush {
        private final FileChannel channel;
        private long sinceLast;
        private Future<?> running;

        BackgroundFlush(FileChannel channel) {
            this.channel = channel;
        }

        void wrote(int bytes) {
            sinceLast += bytes;
            if (sinceLast < FLUSH_EVERY || (running != null && !running.isDone())) return;
            sinceLast = 0;
            running = FLUSHER.submit(() -> {
                try {
                    channel.force(false);
                } catch (IOException ignored) {
                    // Only an optimisation: the closing fsync reports real failures.
                }
            });
        }
    }

    /** Deletes staging files written before {@code cutoff} unless {@code keep} says otherwise. Returns how many. */
    public int sweep(Instant cutoff, Predicate<Path> keep) throws IOException {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.part")) {
            for (Path f : files) {
                try {
                    if (Files.getLastModifiedTime(f).toInstant().isBefore(cutoff) && !keep.test(f)) {
                        Files.deleteIfExists(f);
                        removed++;
                    }
                } catch (NoSuchFileException ignored) {
                    // removed concurrently
                }
            }
        }
        return removed;
    }
}
