package dev.modelyard.server.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Set;

/** Lifecycle of a model version: draft → published → deprecated / revoked. */
public enum VersionStatus {
    DRAFT, PUBLISHED, DEPRECATED, REVOKED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static VersionStatus parse(String text) {
        for (VersionStatus s : values()) {
            if (s.wireName().equals(text)) return s;
        }
        throw new IllegalArgumentException("status: '" + text + "' is not one of draft, published, deprecated, revoked");
    }

    /** Every status' wire name, in order. */
    public static java.util.List<String> wireNames() {
        return java.util.Arrays.stream(values()).map(VersionStatus::wireName).toList();
    }

    /** Status changes allowed through PATCH (publishing has its own operation). */
    public Set<VersionStatus> patchTargets() {
        return switch (this) {
            case DRAFT, REVOKED -> Set.of();
            case PUBLISHED -> Set.of(DEPRECATED, REVOKED);
            case DEPRECATED -> Set.of(PUBLISHED, REVOKED);
        };
    }

    /** Whether devices may be given this version. */
    public boolean isDeployable() {
        return this == PUBLISHED || this == DEPRECATED;
    }
}
