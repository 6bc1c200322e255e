package dev.modelyard.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Declarative state ({@code /api/v1/manifests}): a set of manifest files planned (what would change)
 * and applied. The server reads the YAML itself, so its errors name file, line and column
 * ({@link ApiProblemException#errors()}, code {@code invalid-manifest}).
 */
public final class Manifests extends Area {

    Manifests(Transport t) {
        super(t);
    }

    /** One manifest file: its name as errors show it, and its text. */
    public record Document(String file, String content) {
    }

    /**
     * @param prune    delete what this source manages and the documents no longer declare
     * @param source   who manages the objects (null: {@code cli})
     * @param revision where the documents came from (e.g. a commit), recorded with each object; may be null
     */
    public record Request(List<Document> documents, boolean prune, String source, String revision) {
    }

    /** A field that differs: the server's value ({@code from}) and the manifest's ({@code to}); null: absent. */
    public record Difference(String path, JsonNode from, JsonNode to) {
    }

    /**
     * One object's change: {@code action} is create, update, delete, unchanged or conflict.
     *
     * @param devices for a rollout, the devices its group or filter matches now
     */
    public record Change(String kind, String name, String action, List<Difference> differences, Long devices, String note,
                         String file, Integer line) {
    }

    public record Plan(String source, String revision, boolean prune, List<Change> changes) {

        /** Whether anything would change (conflicts count: they need a look). */
        public boolean hasChanges() {
            return changes.stream().anyMatch(c -> !"unchanged".equals(c.action()));
        }
    }

    public record Applied(boolean changed, Plan plan) {
    }

    public Plan plan(Request request) {
        return t.call("POST", "/api/v1/manifests/plan", request, Plan.class);
    }

    public Applied apply(Request request) {
        return t.call("POST", "/api/v1/manifests/apply", request, Applied.class);
    }
}
