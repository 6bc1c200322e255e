package dev.modelyard.server.background;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The work directories of a replica's workers (delta builds, conversion jobs) under one parent
 * that replicas may share (a staging volume, the data directory): each process owns {@code <id>/}, {@code id} a UUID made when it first needs one, and holds a
 * lock on {@code <id>.lock} for its life. A host name would not do: replicas in containers may
 * all be "localhost", and each would delete the others' work at start.
 * <p>
 * Only what is provably dead is removed: the directory of a lock file this process can lock,
 * which the operating system grants only once its owner has died (the rule of the staging area's
 * own leftovers). A directory without its lock file is left alone. Locks are only as good as the
 * file system's lock service (NFSv4 has one built in; NFSv3 needs lockd).
 */
public final class WorkDirectories {

    private static final Logger LOG = Logger.getLogger(WorkDirectories.class);
    public static final String LOCK_SUFFIX = ".lock";

    private final Path parent;
    private String id;
    private FileChannel channel;

    public WorkDirectories(Path parent) {
        this.parent = parent;
    }

    /** This process's work directory, taken (created and locked) on first use. */
    public synchronized Path own() throws IOException {
        if (channel == null) take();
        return parent.resolve(id);
    }

    private void take() throws IOException {
        Files.createDirectories(parent);
        while (true) {
            String candidate = UUID.randomUUID().toString();
            Path lockFile = parent.resolve(candidate + LOCK_SUFFIX);
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                ch.lock();
                // A cleaner that locked the new file first took it for dead and removed it: it guards nothing now.
                if (Files.exists(lockFile)) {
                    Files.createDirectories(parent.resolve(candidate));
                    id = candidate;
                    channel = ch;
                    return;
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            ch.close();
        }
    }

    /** Removes the work directories of dead processes (this one's is taken first, so never among them). Returns how many. */
    public synchronized int removeDead() throws IOException {
        own();
        List<Path> locks;
        try (Stream<Path> entries = Files.list(parent)) {
            locks = entries.filter(p -> p.getFileName().toString().endsWith(LOCK_SUFFIX)).toList();
        }
        int removed = 0;
        for (Path lockFile : locks) {
            String name = lockFile.getFileName().toString();
            String owner = name.substring(0, name.length() - LOCK_SUFFIX.length());
            if (!owner.equals(id) && removeIfDead(lockFile, parent.resolve(owner))) removed++;
        }
        return removed;
    }

    private static boolean removeIfDead(Path lockFile, Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return false; // another process cleaned it meanwhile
        }
        try (ch) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return false; // held in this JVM: another live instance
            }
            if (lock == null) return false; // a live process holds it
            deleteTree(dir);
            // Deleted while still locked: a process that was about to take this name sees it gone and takes another.
            Files.deleteIfExists(lockFile);
            return true;
        }
    }

    /** Gives the lock back (at shutdown): the directory is then dead, and the next start removes it. */
    public synchronized void release() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debugf("closing the work directory lock: %s", e.getMessage());
        }
        channel = null;
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warnf("could not remove the work directory %s: %s", dir, e.getMessage());
        }
    }
}
