package dev.modelyard.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk is the server's condition (507), not a broken upload (400); a restarted replica
 * never removes the files of another live replica sharing its staging directory.
 */
class StagingAreaTest {

    @TempDir
    Path dir;

    @Test
    @EnabledOnOs(OS.LINUX)
    void aWriteThatFindsTheDiskFullIs507() throws Exception {
        // /dev/full answers every write with ENOSPC, as a full file system does.
        try (FileChannel full = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
            DomainException e = assertThrows(DomainException.class, () -> StagingArea.copy(
                    new ByteArrayInputStream(new byte[4096]), full, Digests.sha256(), 1 << 20, null));
            assertEquals(ErrorCode.STORAGE_FULL, e.code());
            assertTrue(e.getMessage().contains("ran out of staging space"), e.getMessage());
        }
    }

    @Test
    void anUploadLargerThanTheFreeSpaceIsRefusedBeforeAnyByteIsRead() throws Exception {
        StagingArea staging = new StagingArea(dir, false);
        long free = Files.getFileStore(dir).getUsableSpace();
        DomainException e = assertThrows(DomainException.class, () -> staging.checkRoomFor(free + (1L << 40)));
        assertEquals(ErrorCode.STORAGE_FULL, e.code());
        staging.checkRoomFor(1024);
        staging.checkRoomFor(-1);
    }

    @Test
    void aLiveReplicasFilesSurviveAnotherOnesRestart() throws Exception {
        Path multipart = dir.resolve("multipart");
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StagingAreaUser.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("joined alone=true", CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(120, TimeUnit.SECONDS));
            // The other replica's upload began an hour ago, before this one (re)starts.
            Path theirs = dir.resolve("upload-theirs.part");
            Files.write(theirs, new byte[]{1});
            Files.setLastModifiedTime(theirs, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));

            StagingArea first = new StagingArea(dir, false);
            assertFalse(first.join(() -> first.removeLeftovers(Instant.now(), id -> false, multipart)));
            first.release();
            StagingArea restarted = new StagingArea(dir, false);
            assertFalse(restarted.join(() -> restarted.removeLeftovers(Instant.now(), id -> false, multipart)));
            assertTrue(Files.exists(theirs), "the live replica's upload");
            restarted.release();

            other.getOutputStream().close();
            assertTrue(other.waitFor(120, TimeUnit.SECONDS), "the other replica ends");
            StagingArea alone = new StagingArea(dir, false);
            assertTrue(alone.join(() -> alone.removeLeftovers(Instant.now(), id -> false, multipart)));
            assertFalse(Files.exists(theirs), "a leftover once nobody else uses the directory");
            alone.release();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void twoUsersInOneProcessLeaveEachOthersFilesAlone() throws Exception {
        StagingArea live = new StagingArea(dir, false);
        assertTrue(live.join(() -> { }));
        Path file = dir.resolve("upload-live.part");
        Files.write(file, new byte[]{1});
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        StagingArea restarted = new StagingArea(dir, false);
        assertFalse(restarted.join(() -> restarted.removeLeftovers(Instant.now(), id -> false, dir.resolve("multipart"))));
        assertTrue(Files.exists(file));
        restarted.release();
        live.release();
        StagingArea next = new StagingArea(dir, false);
        assertTrue(next.join(() -> { }), "the lock is free once both are gone");
        next.release();
    }
}
