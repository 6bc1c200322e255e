package dev.modelyard.server.http;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Compares the OpenAPI document with the responses the API tests observed ({@link ObservedResponses}):
 * every observed (operation, status) must be documented; documented statuses never observed are
 * reported for information. Runs in its own surefire execution after all other tests (its name
 * keeps it out of the default one), so it does not depend on the order of the tests.
 * <p>
 * In a full run ({@value #MIN_OPERATIONS} set by the build when no {@code -Dtest} is given) a
 * missing or nearly empty observation file fails: the recording must not silently stop. With
 * {@code -Dtest=X} the check covers what X observed, and is skipped when X observed nothing.
 */
class ApiContractCheck {

    static final String CHECK_PROPERTY = "api-contract.check";
    static final String DOCUMENT_PROPERTY = "api-contract.document";
    static final String MIN_OPERATIONS = "api-contract.min-operations";
    private static final Set<String> VERBS = Set.of("get", "head", "post", "put", "patch", "delete", "options");

    /** One observed response: the operation's key ("GET /api/v1/models") and its status. */
    private record Observed(String operation, String status, String example) {
    }

    @Test
    void everyObservedStatusIsDocumented() throws IOException {
        assumeTrue(System.getProperty(CHECK_PROPERTY) != null,
                "runs in the build's api-contract execution, after the API tests recorded their responses");
        int minOperations = Integer.getInteger(MIN_OPERATIONS, 0);
        Path observations = Path.of(System.getProperty(ObservedResponses.FILE_PROPERTY));
        List<Observed> observed = read(observations);
        if (minOperations == 0) {
            assumeTrue(!observed.isEmpty(), "the selected tests observed no API response");
        }

        Map<String, Set<String>> documented = documented(Path.of(System.getProperty(DOCUMENT_PROPERTY)));
        Map<String, Set<String>> seen = new TreeMap<>();
        Map<String, String> examples = new TreeMap<>();
        for (Observed o : observed) {
            seen.computeIfAbsent(o.operation(), k -> new TreeSet<>()).add(o.status());
            examples.putIfAbsent(o.operation() + " → " + o.status(), o.example());
        }

        List<String> undocumented = new ArrayList<>();
        seen.forEach((operation, statuses) -> statuses.forEach(status -> {
            Set<String> doc = documented.get(operation);
            if (doc == null || !doc.contains(status)) {
                undocumented.add(operation + " → " + status + (doc == null ? " (operation not in the document)" : "")
                        + "   e.g. " + examples.get(operation + " → " + status));
            }
        }));
        List<String> neverObserved = new ArrayList<>();
        documented.forEach((operation, statuses) -> {
            Set<String> missing = new TreeSet<>(statuses);
            missing.removeAll(seen.getOrDefault(operation, Set.of()));
            if (!missing.isEmpty()) {
                neverObserved.add(operation + ": " + missing + (seen.containsKey(operation) ? "" : " (operation never called)"));
            }
        });

        long pairs = seen.values().stream().mapToLong(Set::size).sum();
        long documentedPairs = documented.values().stream().mapToLong(Set::size).sum();
        String report = String.format(Locale.ROOT, """
                API contract: %d operations documented with %d statuses; %d responses observed on %d operations, \
                %d distinct (operation, status) pairs.
                Observed but not documented (%d):
                %s
                Documented but never observed (information, %d operations):
                %s
                """, documented.size(), documentedPairs, observed.size(), seen.size(), pairs,
                undocumented.size(), lines(undocumented), neverObserved.size(), lines(neverObserved));
        Path reportFile = observations.resolveSibling("report.txt");
        Files.createDirectories(reportFile.getParent());
        Files.writeString(reportFile, report, StandardCharsets.UTF_8);
        System.out.println(report);

        if (!undocumented.isEmpty()) {
            fail("The OpenAPI document does not list statuses the API answered with (annotate the resource methods, "
                    + "or the shared ones in ApiResponsesFilter; full report in " + reportFile + "):\n" + lines(undocumented));
        }
        assertTrue(seen.size() >= minOperations, "the API tests observed responses of only " + seen.size()
                + " operations (at least " + minOperations + " expected): is " + ObservedResponses.class.getSimpleName()
                + " still recording into " + observations + "?");
    }

    private static List<Observed> read(Path file) throws IOException {
        List<Observed> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t");
            if (f.length != 4) throw new IllegalStateException("malformed observation line in " + file + ": " + line);
            out.add(new Observed(f[0] + " " + f[1], f[2], f[3]));
        }
        return out;
    }

    /** "GET /api/v1/models" → the documented status codes. */
    private static Map<String, Set<String>> documented(Path document) throws IOException {
        JsonNode root = new ObjectMapper().readTree(document.toFile());
        Map<String, Set<String>> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!VERBS.contains(op.getKey())) continue;
                Set<String> statuses = new TreeSet<>();
                op.getValue().path("responses").fieldNames().forEachRemaining(statuses::add);
                out.put(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), statuses);
            }
        }
        if (out.isEmpty()) throw new IllegalStateException(document + " has no operations");
        return out;
    }

    private static String lines(List<String> items) {
        return items.isEmpty() ? "  (none)" : "  " + String.join("\n  ", items);
    }
}
