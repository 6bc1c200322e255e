package dev.modelyard.server.gitsync;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The git sync of this replica: whether it runs, where it keeps its bare repositories, and its limits. */
@ConfigMapping(prefix = "modelyard.gitsync")
public interface GitSyncConfig {

    /** Off: no source is synced by this replica (the API still manages sources; another replica may sync). */
    @WithDefault("true")
    boolean enabled();

    /**
     * Whether sources may name {@code file://} repositories. Off by default: such a URL reads the
     * server's own disk, which a tenant's administrator should not reach. Tests and single-team
     * installations with repositories mounted into the server turn it on.
     */
    @WithDefault("false")
    boolean allowFileUrls();

    /**
     * Environment variables a source's {@code env:} references may name start with this, so that no
     * source can send another of the server's variables (its database password) to a host of its choosing.
     */
    @WithDefault("GITSYNC_")
    String secretEnvPrefix();

    /** The folder a source's {@code file:} references must be inside (e.g. where the secrets for git sources are mounted). */
    @WithDefault("/run/secrets/gitsync")
    Path secretDir();

    /** Where the bare repositories live, one per source; defaults to {@code <data-dir>/gitsync}. A cache: deleting it costs a full fetch. */
    Optional<Path> workDir();

    /** How often this replica looks for sources that are due (their interval passed, or a sync was asked for). */
    @WithDefault("PT5S")
    Duration tick();

    /** A fetch that takes longer is given up (the pass fails and is tried again at the next interval). */
    @WithDefault("PT2M")
    Duration fetchTimeout();

    /** A repository that grows beyond this many bytes on disk is refused (and removed): the sync is for manifests, not for models. */
    @WithDefault("268435456")
    long maxRepositoryBytes();

    /** At most this many manifest files under a source's path. */
    @WithDefault("500")
    int maxFiles();

    /** A manifest file larger than this is an error of the commit. */
    @WithDefault("1048576")
    int maxFileBytes();

    /** Passes running at once on this replica (each for a different source). */
    @WithDefault("2")
    int workers();
}
