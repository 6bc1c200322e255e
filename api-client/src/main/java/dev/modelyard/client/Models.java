package dev.modelyard.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The model catalogue and its aliases ({@code /api/v1/models}). */
public final class Models extends Area {

    public record NewModel(String name, String description, String task, String framework, Map<String, String> labels) {
        public static NewModel named(String name) {
            return new NewModel(name, null, null, null, null);
        }
    }

    /** A merge patch: fields left null are not changed. */
    public record ModelPatch(String description, String task, String framework, Map<String, String> labels) {
    }

    public record Model(String name, String description, String task, String framework, Map<String, String> labels,
                        Map<String, String> aliases, String latestVersion, Instant createdAt, Instant updatedAt,
                        String createdBy) {
    }

    public record Alias(String model, String name, String version, Instant updatedAt, String updatedBy) {
    }

    /** Filters of the model list; null means no filter. {@code label} is {@code key=value}. */
    public record Filter(String q, String task, String framework, String label, Integer page, Integer size) {
        public static Filter all() {
            return new Filter(null, null, null, null, null, null);
        }
    }

    private record SetAlias(String version) {
    }

    Models(Transport t) {
        super(t);
    }

    public Model create(NewModel model) {
        return t.call("POST", "/api/v1/models", model, Model.class);
    }

    public Model get(String name) {
        return t.get(Query.path("/api/v1/models/{}", name), Model.class);
    }

    /** The model, or null when there is none of that name. */
    public Model find(String name) {
        try {
            return get(name);
        } catch (ApiProblemException e) {
            if (e.status() == 404) return null;
            throw e;
        }
    }

    public Page<Model> list(Filter f) {
        return t.page(Query.path("/api/v1/models").param("q", f.q()).param("task", f.task())
                .param("framework", f.framework()).param("label", f.label()).page(f.page(), f.size()), Model.class);
    }

    public Model update(String name, ModelPatch patch) {
        return t.call("PATCH", Query.path("/api/v1/models/{}", name), patch, Model.class);
    }

    public void delete(String name) {
        t.delete(Query.path("/api/v1/models/{}", name));
    }

    public List<Alias> aliases(String model) {
        return t.list(Query.path("/api/v1/models/{}/aliases", model), Alias.class);
    }

    public Alias setAlias(String model, String alias, String version) {
        return t.call("PUT", Query.path("/api/v1/models/{}/aliases/{}", model, alias), new SetAlias(version), Alias.class);
    }

    public void deleteAlias(String model, String alias) {
        t.delete(Query.path("/api/v1/models/{}/aliases/{}", model, alias));
    }
}
