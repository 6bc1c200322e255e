package dev.modelyard.client;

import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Conversion profiles: named chains of conversion steps ({@code /api/v1/conversion/profiles}). */
public final class Profiles extends Area {

    /** One step of a chain: a built-in converter with parameters, or a command. */
    public record Step(String type, String converter, Map<String, Object> params, List<String> command,
                       Integer timeoutSeconds, String outputFormat) {
    }

    /** How far a converted model's outputs may drift from the source's. */
    public record Tolerance(Double maxAbsError, Double minCosine) {
    }

    /**
     * @param optimized null for the default (true when a step is a built-in optimizing converter);
     *                  only a chain with a command step may set another value
     */
    public record ProfileBody(String name, String description, Boolean enabled, List<Step> steps, TargetDescriptor target,
                              Tolerance tolerance, Integer timeoutSeconds, Integer maxAttempts, Boolean optimized) {

        /** A profile whose steps decide whether it optimizes. */
        public ProfileBody(String name, String description, Boolean enabled, List<Step> steps, TargetDescriptor target,
                           Tolerance tolerance, Integer timeoutSeconds, Integer maxAttempts) {
            this(name, description, enabled, steps, target, tolerance, timeoutSeconds, maxAttempts, null);
        }
    }

    public record Profile(String name, String description, boolean enabled, List<Step> steps, TargetDescriptor target,
                          Tolerance tolerance, int timeoutSeconds, int maxAttempts, boolean optimized, Instant createdAt,
                          Instant updatedAt,
                          String createdBy) {
    }

    Profiles(Transport t) {
        super(t);
    }

    public Profile create(ProfileBody profile) {
        return t.call("POST", "/api/v1/conversion/profiles", profile, Profile.class);
    }

    public Profile replace(String name, ProfileBody profile) {
        return t.call("PUT", Query.path("/api/v1/conversion/profiles/{}", name), profile, Profile.class);
    }

    public Profile get(String name) {
        return t.get(Query.path("/api/v1/conversion/profiles/{}", name), Profile.class);
    }

    public List<Profile> list() {
        return t.list("/api/v1/conversion/profiles", Profile.class);
    }

    public void delete(String name) {
        t.delete(Query.path("/api/v1/conversion/profiles/{}", name));
    }
}
