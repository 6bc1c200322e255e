package dev.modelyard.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.http.ApiException;
import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** A full disk is the server's condition (507), not a broken upload (400). */
class StagingAreaTest {

    @TempDir
    Path dir;

    @Test
    @EnabledOnOs(OS.LINUX)
    void aWriteThatFindsTheDiskFullIs507() throws Exception {
        // /dev/full answers every write with ENOSPC, as a full file system does.
        try (FileChannel full = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
            ApiException e = assertThrows(ApiException.class, () -> StagingArea.copy(
                    new ByteArrayInputStream(new byte[4096]), full, Digests.sha256(), 1 << 20, null));
            assertEquals(507, e.status());
            assertTrue(e.getMessage().contains("ran out of staging space"), e.getMessage());
        }
    }

    @Test
    void anUploadLargerThanTheFreeSpaceIsRefusedBeforeAnyByteIsRead() throws Exception {
        StagingArea staging = new StagingArea(dir, false);
        long free = Files.getFileStore(dir).getUsableSpace();
        ApiException e = assertThrows(ApiException.class, () -> staging.checkRoomFor(free + (1L << 40)));
        assertEquals(507, e.status());
        staging.checkRoomFor(1024);
        staging.checkRoomFor(-1);
    }
}
