package dev.modelyard.server.live;

import dev.modelyard.server.auth.Permission;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a live event is about, and the permission a token needs to hear it. A model-scoped topic's
 * events name their model ({@code model} field): a scoped token hears only those of its models;
 * the other topics are outside the model catalogue, which is all a scoped token reaches.
 */
public enum LiveTopic {
    DEVICE("device", Permission.DEVICES_READ, false),
    ACTION("action", Permission.DEVICES_READ, false),
    ROLLOUT("rollout", Permission.ROLLOUTS_READ, false),
    JOB("job", Permission.ARTIFACTS_READ, true),
    ARTIFACT("artifact", Permission.ARTIFACTS_READ, true),
    VERSION("version", Permission.MODELS_READ, true),
    MODEL("model", Permission.MODELS_READ, true);

    private final String wireName;
    private final String permission;
    private final boolean modelScoped;

    LiveTopic(String wireName, String permission, boolean modelScoped) {
        this.wireName = wireName;
        this.permission = permission;
        this.modelScoped = modelScoped;
    }

    public String wireName() {
        return wireName;
    }

    String permission() {
        return permission;
    }

    /** Whether its events name a model, so that a token scoped to models may hear those of its own. */
    boolean modelScoped() {
        return modelScoped;
    }

    /**
     * Of the {@code wanted} topics, those a token holding {@code permissions} (and confined to models by
     * {@code scope}, or null) may hear.
     */
    static Set<LiveTopic> allowed(Set<LiveTopic> wanted, Predicate<String> holds, String scope) {
        Set<LiveTopic> allowed = EnumSet.noneOf(LiveTopic.class);
        for (LiveTopic t : wanted) {
            if (scope != null && !t.modelScoped()) continue;
            if (holds.test(t.permission())) allowed.add(t);
        }
        return allowed;
    }

    static Optional<LiveTopic> parse(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    static List<String> wireNames() {
        return Arrays.stream(values()).map(LiveTopic::wireName).toList();
    }
}
