package dev.modelyard.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example manifests the README points at stay valid, and cover every kind. */
class ExampleManifestsTest {

    private static final Path EXAMPLES = Path.of("..", "examples", "manifests");

    @Test
    void examplesAreValidAndCoverEveryKind() throws Exception {
        ManifestReader.Result r = ManifestReader.get().read(ManifestFiles.read(EXAMPLES, EXAMPLES));
        assertTrue(r.valid(), () -> r.errors().toString());
        assertEquals(List.of(Kind.values()).stream().sorted().toList(),
                r.manifests().stream().map(Manifest::kind).distinct().sorted().toList());
        assertEquals("fleet.yaml", r.manifests().stream().filter(m -> m.kind() == Kind.ROLLOUT).findFirst().orElseThrow().file());
    }
}
