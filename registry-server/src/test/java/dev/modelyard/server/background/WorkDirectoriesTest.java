package dev.modelyard.server.background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Replicas sharing a volume each work in their own directory, and a starting one
 * removes only the directories of processes that are provably gone (their lock can be taken).
 */
class WorkDirectoriesTest {

    @Test
    void aStartRemovesOnlyTheWorkOfDeadProcesses() throws Exception {
        Path parent = Files.createTempDirectory("delta-work");
        WorkDirectories first = new WorkDirectories(parent);
        WorkDirectories second = new WorkDirectories(parent);
        Path firstDir = first.own();
        Path secondDir = second.own();
        assertNotEquals(firstDir, secondDir, "each process has its own directory, whatever the host is called");
        Path secondWork = Files.writeString(Files.createDirectories(secondDir.resolve("build-1")).resolve("target"), "x");

        // A process that died: its lock file is there and nobody holds it.
        String dead = UUID.randomUUID().toString();
        Files.createFile(parent.resolve(dead + WorkDirectories.LOCK_SUFFIX));
        Path deadWork = Files.writeString(Files.createDirectories(parent.resolve(dead).resolve("build-2")).resolve("target"), "x");
        // A directory without a lock file cannot be proven dead.
        Path unowned = Files.writeString(Files.createDirectories(parent.resolve("localhost").resolve("build-3")).resolve("t"), "x");

        assertEquals(1, first.removeDead());
        assertFalse(Files.exists(deadWork.getParent().getParent()), "the dead process' work is gone");
        assertFalse(Files.exists(parent.resolve(dead + WorkDirectories.LOCK_SUFFIX)));
        assertTrue(Files.exists(secondWork), "a live process' work stays");
        assertTrue(Files.exists(unowned), "what has no lock file is not provably dead");
        assertTrue(Files.isDirectory(firstDir));

        // Once the second process stops, its work is dead too; the first's own directory never is.
        second.release();
        assertEquals(1, first.removeDead());
        assertFalse(Files.exists(secondDir));
        assertTrue(Files.isDirectory(firstDir));
        assertEquals(0, first.removeDead());
        first.release();
    }
}
