package dev.modelyard.server.desiredstate;

import dev.modelyard.manifests.Kind;
import dev.modelyard.manifests.Manifest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** What a plan's checks and changes see: the whole manifest set (a rollout may name a group the same set creates) and who asks. */
final class PlanContext {

    private final Map<Kind, Map<String, Manifest>> byKind = new EnumMap<>(Kind.class);
    private final Actor actor;

    PlanContext(List<Manifest> manifests, Actor actor) {
        this.actor = actor;
        for (Kind k : Kind.values()) byKind.put(k, new LinkedHashMap<>());
        manifests.forEach(m -> byKind.get(m.kind()).put(m.name(), m));
    }

    Actor actor() {
        return actor;
    }

    Optional<Manifest> manifest(Kind kind, String name) {
        return Optional.ofNullable(byKind.get(kind).get(name));
    }

    boolean declares(Kind kind, String name) {
        return byKind.get(kind).containsKey(name);
    }

    /**
     * A read in a transaction of its own: a lookup that fails (no such model) rolls back only
     * itself, so planning goes on and reports every problem, not the first.
     */
    static <T> T read(Supplier<T> work) {
        return QuarkusTransaction.requiringNew().call(work::get);
    }
}
