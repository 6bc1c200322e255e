package dev.modelyard.device.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * No package of the updater depends on itself through others: the compiled classes are read with
 * the JDK's jdeps, and any cycle fails the build with the dependencies that close it. Checked at
 * two levels: single packages, and features (a top-level package with its subpackages, so
 * {@code runtime.onnx} and {@code runtime} are one feature).
 */
class PackageCyclesTest {

    private static final String ROOT = "dev.modelyard.device";
    private static final Path CLASSES = Path.of("target", "classes");
    /** "   dev.modelyard.device.a   -> dev.modelyard.device.b   classes" as jdeps -verbose:package prints it. */
    private static final Pattern EDGE = Pattern.compile("^\\s*(\\S+)\\s+->\\s+(\\S+)\\s");

    @Test
    void noPackageCycles() {
        Map<String, Set<String>> packages = packageDependencies();
        assertFalse(packages.isEmpty(), "jdeps found no dependencies in " + CLASSES);
        List<Set<String>> cycles = cycles(packages);
        assertTrue(cycles.isEmpty(), "package cycles: " + describe(cycles, packages));
    }

    @Test
    void noFeatureCycles() {
        Map<String, Set<String>> features = new TreeMap<>();
        packageDependencies().forEach((from, tos) -> tos.forEach(to -> {
            String a = feature(from);
            String b = feature(to);
            if (!a.equals(b)) features.computeIfAbsent(a, k -> new TreeSet<>()).add(b);
        }));
        List<Set<String>> cycles = cycles(features);
        assertTrue(cycles.isEmpty(), "feature cycles (a top-level package with its subpackages): " + describe(cycles, features));
    }

    /** The check itself finds what it must: a three-package ring and a pair, not an acyclic chain. */
    @Test
    void findsCycles() {
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"),
                "d", Set.of("e"), "e", Set.of("d"), "f", Set.of("a"));
        assertEquals(Set.of(Set.of("a", "b", "c"), Set.of("d", "e")), new HashSet<>(cycles(g)));
        assertTrue(cycles(Map.of("a", Set.of("b"), "b", Set.of("c"))).isEmpty());
    }

    /** Package → packages of the updater it uses (never itself). */
    private static Map<String, Set<String>> packageDependencies() {
        assertTrue(Files.isDirectory(CLASSES), CLASSES + " is missing: the check reads the compiled classes");
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err),
                "-verbose:package", "-e", Pattern.quote(ROOT) + "(\\..*)?", CLASSES.toString());
        assertEquals(0, status, "jdeps failed: " + err);
        Map<String, Set<String>> deps = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && inUpdater(m.group(1)) && inUpdater(m.group(2)) && !m.group(1).equals(m.group(2))) {
                deps.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        return deps;
    }

    private static boolean inUpdater(String pkg) {
        return pkg.equals(ROOT) || pkg.startsWith(ROOT + ".");
    }

    /** {@code runtime} for {@code dev.modelyard.device.runtime.onnx}; the root package is its own feature. */
    private static String feature(String pkg) {
        if (pkg.equals(ROOT)) return "(root)";
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** The strongly connected components with more than one node (Tarjan's algorithm). */
    static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> found = new ArrayList<>();
        for (String node : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(node)) connect(node, graph, index, low, stack, onStack, found);
        }
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<Set<String>> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) found.add(component);
        }
    }

    private static String describe(List<Set<String>> cycles, Map<String, Set<String>> graph) {
        StringBuilder b = new StringBuilder();
        for (Set<String> cycle : cycles) {
            b.append("\n  ").append(cycle);
            for (String from : cycle) {
                for (String to : graph.getOrDefault(from, Set.of())) {
                    if (cycle.contains(to)) b.append("\n    ").append(from).append(" -> ").append(to);
                }
            }
        }
        return b.toString();
    }
}
