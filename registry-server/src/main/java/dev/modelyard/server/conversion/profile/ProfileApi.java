package dev.modelyard.server.conversion.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.wire.TargetDescriptor;
import java.time.Instant;
import java.util.List;

/** Request and response bodies of the profile endpoints. */
public final class ProfileApi {

    private ProfileApi() {
    }

    /**
     * A profile to create or replace. Omitted: enabled true, tolerance lossless (1e-4, 0.99999),
     * timeout and attempts from the server's settings, optimized from the steps ({@link ChainSpec#optimized()}).
     */
    public record ProfileBody(String name, String description, Boolean enabled, List<StepSpec> steps,
                              TargetDescriptor target, ChainSpec.Tolerance tolerance, Integer timeoutSeconds,
                              Integer maxAttempts, Boolean optimized) {
        ChainSpec chain() {
            return new ChainSpec(steps, target, tolerance, timeoutSeconds, maxAttempts, optimized);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ProfileView(String name, String description, boolean enabled, List<StepSpec> steps,
                              TargetDescriptor target, ChainSpec.Tolerance tolerance, int timeoutSeconds,
                              int maxAttempts, boolean optimized, Instant createdAt, Instant updatedAt, String createdBy) {
    }
}
