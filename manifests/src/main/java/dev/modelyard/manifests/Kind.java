package dev.modelyard.manifests;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The kinds of manifest, in the order apply works through them: what a later kind refers to
 * (a rollout's model and device group) exists before it.
 */
public enum Kind {
    MODEL("Model"),
    TARGET_PROFILE("TargetProfile"),
    DEVICE_GROUP("DeviceGroup"),
    ROLLOUT("Rollout");

    private final String wireName;

    Kind(String wireName) {
        this.wireName = wireName;
    }

    /** The name manifests use in {@code kind:}. */
    public String wireName() {
        return wireName;
    }

    /** The schema's resource path inside this module's jar. */
    String schemaResource() {
        return "/schemas/modelyard.dev/v1/" + wireName + ".schema.json";
    }

    public static Optional<Kind> of(String wireName) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(wireName)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(Kind::wireName).toList();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
