package dev.modelyard.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rerun empties the previous demo's directory, and only a directory the demo made. */
class StartOverTest {

    @TempDir
    Path work;

    @Test
    void aNewDirectoryIsCreatedAndMarked() throws Exception {
        Path dir = work.resolve("demo-data");
        Demo.startOver(dir);
        assertTrue(Files.isRegularFile(dir.resolve(Demo.MARKER)));
    }

    @Test
    void aPreviousDemosFilesAreRemoved() throws Exception {
        Path dir = work.resolve("demo-data");
        Demo.startOver(dir);
        Files.writeString(Files.createDirectories(dir.resolve("server/blobs")).resolve("blob"), "old");
        Files.writeString(dir.resolve("admin-token"), "old");

        Demo.startOver(dir);

        try (var left = Files.list(dir)) {
            assertEquals(java.util.List.of(dir.resolve(Demo.MARKER)), left.toList());
        }
    }

    @Test
    void aDirectoryTheDemoDidNotMakeIsNeverEmptied() throws Exception {
        Path dir = Files.createDirectories(work.resolve("mine"));
        Files.writeString(dir.resolve("notes.txt"), "keep");
        DemoFailure refused = assertThrows(DemoFailure.class, () -> Demo.startOver(dir));
        assertTrue(refused.getMessage().contains("was not made by the demo"), refused.getMessage());
        assertEquals("keep", Files.readString(dir.resolve("notes.txt")));
        assertFalse(Files.exists(dir.resolve(Demo.MARKER)));
    }

    @Test
    void anEmptyDirectoryIsTakenAndAFileRefused() throws Exception {
        Path empty = Files.createDirectories(work.resolve("empty"));
        Demo.startOver(empty);
        assertTrue(Files.exists(empty.resolve(Demo.MARKER)));

        Path file = Files.writeString(work.resolve("a-file"), "x");
        assertThrows(DemoFailure.class, () -> Demo.startOver(file));
        assertEquals("x", Files.readString(file));
    }
}
