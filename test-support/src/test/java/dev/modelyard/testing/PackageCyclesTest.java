package dev.modelyard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PackageCyclesTest {

    /** Subpackages fold into their top-level feature, so a cycle between two features shows though no package cycle does. */
    @Test
    void foldsSubpackagesIntoFeatures() {
        Map<String, Set<String>> packages = Map.of(
                "r.a", Set.of("r.b.x"),
                "r.b", Set.of("r"),
                "r.b.x", Set.of("r.a.y"),
                "r.a.y", Set.of("r.c"));
        assertTrue(PackageCycles.cycles(packages).isEmpty());
        Map<String, Set<String>> features = PackageCycles.featureDependencies("r", packages);
        assertEquals(Map.of("a", Set.of("b", "c"), "b", Set.of("(root)", "a")), features);
        List<Set<String>> cycles = PackageCycles.cycles(features);
        assertEquals(List.of(Set.of("a", "b")), cycles);
        assertTrue(PackageCycles.describe(cycles, features).contains("a -> b"));
    }

    /** Missing classes fail loudly rather than reading as "no dependencies, no cycles". */
    @Test
    void missingClassesAreAnError() {
        assertThrows(IllegalStateException.class, () -> PackageCycles.packageDependencies("r", Path.of("no", "such", "classes")));
    }

    /** The test kit's own compiled classes, under the project's root: jdeps runs and keeps edges inside the root only. */
    @Test
    void readsCompiledClasses() {
        Map<String, Set<String>> deps = PackageCycles.packageDependencies("dev.modelyard", Path.of("target", "classes"));
        assertTrue(deps.getOrDefault("dev.modelyard.testing", Set.of()).stream().anyMatch(p -> p.startsWith("dev.modelyard.client")),
                deps.toString());
        deps.forEach((from, tos) -> tos.forEach(to -> assertTrue(to.startsWith("dev.modelyard."), to)));
    }
}
