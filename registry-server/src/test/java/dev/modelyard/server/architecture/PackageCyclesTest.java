package dev.modelyard.server.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.testing.PackageCycles;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * No package of the server depends on itself through others: the compiled classes are read with
 * the JDK's jdeps ({@link PackageCycles}), and any cycle fails the build with the dependencies that
 * close it. Checked at two levels: single packages, and features (a top-level package with its
 * subpackages, so {@code conversion.job} and {@code conversion} are one feature}).
 */
class PackageCyclesTest {

    private static final String ROOT = "dev.modelyard.server";
    private static final Path CLASSES = Path.of("target", "classes");

    @Test
    void noPackageCycles() {
        Map<String, Set<String>> packages = PackageCycles.packageDependencies(ROOT, CLASSES);
        assertFalse(packages.isEmpty(), "jdeps found no dependencies in " + CLASSES);
        List<Set<String>> cycles = PackageCycles.cycles(packages);
        assertTrue(cycles.isEmpty(), "package cycles: " + PackageCycles.describe(cycles, packages));
    }

    @Test
    void noFeatureCycles() {
        Map<String, Set<String>> features =
                PackageCycles.featureDependencies(ROOT, PackageCycles.packageDependencies(ROOT, CLASSES));
        List<Set<String>> cycles = PackageCycles.cycles(features);
        assertTrue(cycles.isEmpty(), "feature cycles (a top-level package with its subpackages): "
                + PackageCycles.describe(cycles, features));
    }

    /** The check itself finds what it must: a three-package ring and a pair, not an acyclic chain. */
    @Test
    void findsCycles() {
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"),
                "d", Set.of("e"), "e", Set.of("d"), "f", Set.of("a"));
        assertEquals(Set.of(Set.of("a", "b", "c"), Set.of("d", "e")), new HashSet<>(PackageCycles.cycles(g)));
        assertTrue(PackageCycles.cycles(Map.of("a", Set.of("b"), "b", Set.of("c"))).isEmpty());
    }
}
