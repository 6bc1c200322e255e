package dev.modelyard.server.artifact;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.wire.TargetDescriptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.PersistenceException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.exception.ConstraintViolationException;

/**
 * The one way a file becomes an artifact of a version, whoever made it (an upload, a conversion,
 * later a delta). It holds the version's rules for its files: one artifact per target, and one
 * per file name. Callers decide what the version must be (a draft for uploads, a release for
 * conversions) and run this inside their transaction.
 */
@ApplicationScoped
public class VersionArtifacts {

    private final Event<ArtifactAdded> added;
    private final LiveEvents live;

    public VersionArtifacts(Event<ArtifactAdded> added, LiveEvents live) {
        this.live = live;
        this.added = added;
    }

    /** What to do when the version has a file of the same name already. */
    public enum SameName {
        /** The new file takes its place (an upload to a draft replaces its file). */
        REPLACE,
        /** Refused with {@code ALREADY_EXISTS} (a conversion never overwrites anything). */
        REFUSE
    }

    /** The version has an artifact for this target already: {@code TARGET_TAKEN}, naming the artifact that holds it. */
    public static final class TargetTaken extends DomainException {

        private final String existingFilename;

        TargetTaken(ModelVersion v, TargetDescriptor t, Artifact existing) {
            super(ErrorCode.TARGET_TAKEN, "version " + v.version + " already has an artifact for this target: '"
                    + existing.filename + "' (" + describe(t) + ")", null, null, null);
            this.existingFilename = existing.filename;
        }

        public String existingFilename() {
            return existingFilename;
        }
    }

    /** The result: the new artifact, and whether it replaced a file of the same name. */
    public record Added(Artifact artifact, boolean replaced) {
    }

    /**
     * Adds {@code a} (not yet persisted; its version, file name and target set) to its version.
     *
     * @throws TargetTaken     another artifact of the version is built for the same target
     * @throws DomainException {@code ALREADY_EXISTS} for a file name taken under {@link SameName#REFUSE};
     *                         {@code CONCURRENT_REQUEST} when another addition won the race for the name or target
     */
    public Added add(Artifact a, SameName sameName) {
        ModelVersion v = a.version;
        Optional<Artifact> named = Artifact.find("version = ?1 and filename = ?2", v, a.filename).firstResultOptional();
        // Under REPLACE, the file being replaced may hold the target: it goes, so it is no obstacle.
        Optional<Artifact> taken = forTarget(v, a.target(), a.optimized)
                .filter(t -> sameName == SameName.REFUSE || named.map(n -> !n.id.equals(t.id)).orElse(true));
        if (taken.isPresent()) throw new TargetTaken(v, a.target(), taken.get());
        if (named.isPresent()) {
            if (sameName == SameName.REFUSE) {
                throw DomainException.of(ErrorCode.ALREADY_EXISTS, "version " + v.version + " already has a file named '" + a.filename + "'");
            }
            named.get().delete();
            Artifact.flush();
        }
        if (a.id == null) a.id = UUID.randomUUID();
        try {
            a.persistAndFlush();
        } catch (PersistenceException e) {
            // The unique indexes on (version, filename) and (version, target) settle a race between two additions.
            if (e instanceof ConstraintViolationException || e.getCause() instanceof ConstraintViolationException) {
                throw DomainException.of(ErrorCode.CONCURRENT_REQUEST, "another upload of '" + a.filename
                        + "' or of the same target to version " + v.version + " finished at the same time; retry");
            }
            throw e;
        }
        added.fire(new ArtifactAdded(a.tenant, a.id, v.id, v.status.isDeployable()));
        live.artifact(v.model.name, v.version, a.id);
        return new Added(a, named.isPresent());
    }

    /**
     * The version's artifact for target {@code t} that is {@code optimized} or not, if it has one.
     * A version holds at most one of each per target (index {@code artifact_target_uq}): the
     * source and one optimized file of the same target can live side by side, and devices get the
     * optimized one.
     */
    public Optional<Artifact> forTarget(ModelVersion v, TargetDescriptor t, boolean optimized) {
        return Artifact.<Artifact>find("version = ?1 and format = ?2 and runtime = ?3 and coalesce(runtimeVersion, '') = ?4"
                        + " and arch = ?5 and accelerator = ?6 and precision = ?7 and coalesce(os, '') = ?8 and cpuFeatures = ?9"
                        + " and optimized = ?10",
                v, t.format(), t.runtime(), nz(t.runtimeVersion()), t.arch(), t.accelerator(), t.precision(), nz(t.os()),
                String.join(",", t.cpuFeatures()), optimized)
                .firstResultOptional();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String describe(TargetDescriptor t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", t.format());
        m.put("runtime", t.runtime());
        if (t.runtimeVersion() != null) m.put("runtimeVersion", t.runtimeVersion());
        m.put("arch", t.arch());
        m.put("accelerator", t.accelerator());
        m.put("precision", t.precision());
        if (t.os() != null) m.put("os", t.os());
        if (t.needsCpuFeatures()) m.put("cpuFeatures", t.cpuFeatures());
        return m.toString();
    }
}
