package dev.modelyard.server.delta;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The delta feature's settings ({@code modelyard.delta.*}), owned here rather than in
 * {@code ModelyardConfig} so the feature keeps its knobs beside its code; the two mappings share
 * the {@code modelyard} prefix without overlapping.
 */
@ConfigMapping(prefix = "modelyard.delta")
public interface DeltaConfig {

    /** Plan and build deltas. Off: nothing new is planned or built; ready deltas are still offered. */
    @WithDefault("true")
    boolean enabled();

    /** Deltas this replica builds at once; 0 means it builds none (other replicas do). */
    @WithDefault("1")
    int workers();

    /**
     * zstd level of the encoders: 6 sends the fewest bytes of levels 3, 6 and 9 over bench/delta's
     * pairs (level 3: 0.7 % more on fp32 compressed full files; level 9: within 0.2 % either way, for
     * up to 1.4 times the build time).
     */
    @WithDefault("6")
    int level();

    /**
     * A delta is offered only when at most this share of what it replaces: the target file, or
     * for a delta from a base, the compressed full file when one is ready.
     */
    @WithDefault("0.9")
    double maxRatio();

    /** Artifacts smaller than this get no deltas: the saving would not pay for the build. */
    @WithDefault("64K")
    MemorySize minSize();

    /** At publication, deltas from at most this many installed versions (those with the most devices). */
    @WithDefault("8")
    int maxBases();

    /** How often an idle worker looks for due builds; a build enqueued on this replica wakes it at once. */
    @WithDefault("PT2S")
    Duration pollInterval();

    /** How long a claim is valid without renewal; a dead replica's builds are taken again after it. */
    @WithDefault("PT60S")
    Duration leaseDuration();

    /** Attempts a build gets before it is FAILED. */
    @WithDefault("3")
    int maxAttempts();

    /** Delay before the first retry of a failed build; doubles per attempt, at most {@link #maxBackoff()}. */
    @WithDefault("PT30S")
    Duration retryBackoff();

    /** The longest delay between retries. */
    @WithDefault("PT30M")
    Duration maxBackoff();
}
