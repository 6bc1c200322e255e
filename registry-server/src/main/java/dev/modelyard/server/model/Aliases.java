package dev.modelyard.server.model;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Names;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.model.ModelApi.AliasView;
import dev.modelyard.wire.SemVer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;

/** Named pointers at published versions ("stable", "canary"): set and removed; never at a draft or a revoked version. */
@ApplicationScoped
public class Aliases {

    private final ModelLookup lookup;
    private final ModelViews views;
    private final Clock clock;
    private final LiveEvents live;

    Aliases(ModelLookup lookup, ModelViews views, Clock clock, LiveEvents live) {
        this.live = live;
        this.lookup = lookup;
        this.views = views;
        this.clock = clock;
    }

    @Transactional
    public AliasView set(String modelName, String alias, ModelApi.SetAlias body, String by) {
        Names.require("alias", alias);
        if (SemVer.isValid(alias) || alias.equals(ModelLookup.LATEST)) {
            throw DomainException.of(ErrorCode.INVALID_NAME, "alias: '" + alias + "' is reserved (a version number or 'latest')");
        }
        if (body == null || body.version() == null) throw DomainException.field(ErrorCode.MISSING_FIELD, "version", "version: is required");
        Model m = lookup.model(modelName);
        ModelVersion v = lookup.exact(m, body.version());
        if (v.status != VersionStatus.PUBLISHED) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DEPLOYABLE, "alias '" + alias + "' can only point at a published version; "
                    + v.version + " is " + v.status.wireName());
        }
        ModelAlias a = ModelAlias.<ModelAlias>find("model = ?1 and name = ?2", m, alias).firstResultOptional()
                .orElseGet(ModelAlias::new);
        if (a.version != null && a.version != v) live.version(m.name, a.version.version);
        a.model = m;
        a.name = alias;
        a.version = v;
        live.version(m.name, v.version);
        live.model(m.name);
        a.updatedAt = clock.instant();
        a.updatedBy = by;
        if (!a.isPersistent()) ModelFields.persistUnique(a, "alias '" + alias + "' was created concurrently; retry");
        return views.view(a);
    }

    @Transactional
    public void delete(String modelName, String alias) {
        Model m = lookup.model(modelName);
        if (ModelAlias.delete("model = ?1 and name = ?2", m, alias) == 0) {
            throw DomainException.of(ErrorCode.ALIAS_NOT_FOUND, "model '" + modelName + "' has no alias '" + alias + "'");
        }
        live.model(m.name);
    }
}
