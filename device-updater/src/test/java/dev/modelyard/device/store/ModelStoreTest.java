package dev.modelyard.device.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    @TempDir
    Path dir;

    private ModelStore.Installed stage(ModelStore store, String version, long counter, String content) throws Exception {
        Path f = Files.writeString(dir.resolve("download-" + version), content);
        String sha = String.format("%064x", content.hashCode() & 0xffffffffL);
        return store.stage("kws", f, "kws.onnx", "{\"release\":\"" + version + "\"}", version, counter, sha);
    }

    @Test
    void stagePromoteAndRollBack() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        ModelStore.Installed v1 = stage(store, "1.0.0", 1, "one");
        assertEquals(v1, store.slots("kws").candidate());
        assertNull(store.slots("kws").current());
        store.promote("kws");
        ModelStore.Installed v2 = stage(store, "2.0.0", 2, "two");
        store.promote("kws");
        assertEquals(v2, store.slots("kws").current());
        assertEquals(v1, store.slots("kws").previous());
        assertEquals("two", Files.readString(store.file("kws", v2)));
        assertTrue(Files.readString(store.release("kws", v2)).contains("2.0.0"));

        store.rollback("kws");
        assertEquals(v1, store.slots("kws").current());
        assertEquals(v2, store.slots("kws").previous());
        assertEquals("one", Files.readString(store.file("kws", store.slots("kws").current())));
    }

    @Test
    void onlyThreeVersionsAreKept() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        for (int i = 1; i <= 4; i++) {
            stage(store, i + ".0.0", i, "content " + i);
            store.promote("kws");
            store.removeUnused("kws");
        }
        try (Stream<Path> versions = Files.list(dir.resolve("models/kws/versions"))) {
            assertEquals(2, versions.count(), "current and previous only");
        }
        ModelStore.Installed discarded = stage(store, "5.0.0", 5, "five");
        store.discardCandidate("kws");
        assertFalse(Files.exists(store.file("kws", discarded)));
        assertEquals("4.0.0", store.slots("kws").current().version());
    }

    @Test
    void reopeningAfterACrashKeepsTheJournalsStateAndDropsLeftovers() throws Exception {
        Path root = dir.resolve("models");
        ModelStore store = new ModelStore(root);
        stage(store, "1.0.0", 1, "one");
        store.promote("kws");
        // What a power cut during the next stage or journal write leaves behind:
        Path halfCopied = Files.createDirectories(root.resolve("kws/versions/.incoming-1234"));
        Files.writeString(halfCopied.resolve("kws.onnx"), "partial");
        Path unreferenced = Files.createDirectories(root.resolve("kws/versions/2-abcdefabcdef"));
        Files.writeString(root.resolve("kws/.journal-5678"), "{\"current\":");

        ModelStore reopened = new ModelStore(root);

        assertEquals("1.0.0", reopened.slots("kws").current().version());
        assertEquals("one", Files.readString(reopened.file("kws", reopened.slots("kws").current())));
        assertFalse(Files.exists(halfCopied));
        assertFalse(Files.exists(unreferenced));
        assertFalse(Files.exists(root.resolve("kws/.journal-5678")));
    }

    @Test
    void misuseIsRefused() throws Exception {
        ModelStore store = new ModelStore(dir.resolve("models"));
        assertThrows(IllegalStateException.class, () -> store.promote("kws"));
        assertThrows(IllegalStateException.class, () -> store.rollback("kws"));
        assertThrows(IllegalArgumentException.class, () -> store.slots("../etc"));
    }
}
