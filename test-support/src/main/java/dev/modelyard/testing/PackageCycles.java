package dev.modelyard.testing;

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

/**
 * Package and feature cycles among the compiled classes of one root package, read with the JDK's
 * jdeps. A feature is a top-level package with its subpackages (for root {@code dev.modelyard.server},
 * {@code conversion.job} and {@code conversion} are one feature). Each module's architecture test
 * asserts on what this finds, so the graph logic lives once.
 */
public final class PackageCycles {

    /** "   root.a   -> root.b   classes" as jdeps -verbose:package prints it. */
    private static final Pattern EDGE = Pattern.compile("^\\s*(\\S+)\\s+->\\s+(\\S+)\\s");

    private PackageCycles() {
    }

    /**
     * Package → packages under {@code root} it uses (never itself), read from the compiled classes.
     *
     * @throws IllegalStateException when the classes are missing or jdeps fails, so the check cannot pass vacuously
     */
    public static Map<String, Set<String>> packageDependencies(String root, Path classes) {
        if (!Files.isDirectory(classes)) {
            throw new IllegalStateException(classes + " is missing: the check reads the compiled classes");
        }
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new IllegalStateException("this JDK has no jdeps"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err),
                "-verbose:package", "-e", Pattern.quote(root) + "(\\..*)?", classes.toString());
        if (status != 0) throw new IllegalStateException("jdeps failed (" + status + "): " + err);
        Map<String, Set<String>> deps = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && within(root, m.group(1)) && within(root, m.group(2)) && !m.group(1).equals(m.group(2))) {
                deps.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        return deps;
    }

    /** The package graph folded to features: feature → other features it uses. */
    public static Map<String, Set<String>> featureDependencies(String root, Map<String, Set<String>> packages) {
        Map<String, Set<String>> features = new TreeMap<>();
        packages.forEach((from, tos) -> tos.forEach(to -> {
            String a = feature(root, from);
            String b = feature(root, to);
            if (!a.equals(b)) features.computeIfAbsent(a, k -> new TreeSet<>()).add(b);
        }));
        return features;
    }

    private static boolean within(String root, String pkg) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    /** {@code conversion} for {@code <root>.conversion.job}; the root package is its own feature. */
    private static String feature(String root, String pkg) {
        if (pkg.equals(root)) return "(root)";
        String rest = pkg.substring(root.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** The strongly connected components with more than one node (Tarjan's algorithm). */
    public static List<Set<String>> cycles(Map<String, Set<String>> graph) {
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

    /** Each cycle with the dependencies that close it, for a failure message. */
    public static String describe(List<Set<String>> cycles, Map<String, Set<String>> graph) {
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
