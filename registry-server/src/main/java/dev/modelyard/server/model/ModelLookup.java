package dev.modelyard.server.model;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.wire.SemVer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Finds a model and a version of it by the names callers use: a version number, an alias or
 * {@value #LATEST}. Every feature that works on a model or a version (artifacts, uploads,
 * conversion, deployments, the hawkBit API) starts here, so a miss reads the same everywhere.
 */
@ApplicationScoped
public class ModelLookup {

    /** A pseudo-alias every model has: its highest published release (pre-releases excluded). */
    public static final String LATEST = "latest";

    public Model model(String name) {
        return Model.findByName(name).orElseThrow(() -> DomainException.of(ErrorCode.MODEL_NOT_FOUND, "no model named '" + name + "'"));
    }

    /** A version by number, alias or {@value #LATEST}. */
    public ModelVersion resolve(Model m, String ref) {
        if (SemVer.isValid(ref)) {
            return exact(m, ref);
        }
        if (ref.equals(LATEST)) {
            return ModelVersion.<ModelVersion>find(
                            "model = ?1 and status = ?2 and sortKey like '%~' order by sortKey desc", m, VersionStatus.PUBLISHED)
                    .firstResultOptional()
                    .orElseThrow(() -> DomainException.of(ErrorCode.VERSION_NOT_FOUND, "model '" + m.name + "' has no published release yet"));
        }
        return ModelAlias.<ModelAlias>find("model = ?1 and name = ?2", m, ref).firstResultOptional()
                .map(a -> a.version)
                .orElseThrow(() -> DomainException.of(ErrorCode.VERSION_NOT_FOUND, "model '" + m.name + "' has no version or alias '" + ref + "'"));
    }

    /** A version by its number only. */
    public ModelVersion exact(Model m, String version) {
        SemVer s = semver(version);
        return ModelVersion.<ModelVersion>find("model = ?1 and sortKey = ?2", m, s.sortKey()).firstResultOptional()
                .orElseThrow(() -> DomainException.of(ErrorCode.VERSION_NOT_FOUND, "model '" + m.name + "' has no version " + version));
    }

    static SemVer semver(String version) {
        try {
            return SemVer.parse(version);
        } catch (IllegalArgumentException e) {
            throw DomainException.of(ErrorCode.INVALID_PARAMETER, "version: " + e.getMessage());
        }
    }
}
