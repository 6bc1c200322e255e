package dev.modelyard.server.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.server.auth.ModelScope;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.error.UnknownNameException;
import dev.modelyard.server.http.Names;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.model.ModelApi.CreateModel;
import dev.modelyard.server.model.ModelApi.ModelView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;

/** The models themselves: created, described (task, framework, labels) and deleted while nothing was released. */
@ApplicationScoped
public class ModelCatalogue {

    /** What a model's merge patch may change. */
    private static final Set<String> MODEL_PATCH = Set.of("description", "task", "framework", "labels");
    private static final int MAX_TASK = 128;

    private final EntityManager em;
    private final Clock clock;
    private final ModelLookup lookup;
    private final ModelViews views;
    private final ModelScope scope;
    private final LiveEvents live;

    ModelCatalogue(EntityManager em, Clock clock, ModelLookup lookup, ModelViews views, ModelScope scope, LiveEvents live) {
        this.live = live;
        this.scope = scope;
        this.em = em;
        this.clock = clock;
        this.lookup = lookup;
        this.views = views;
    }

    @Transactional
    public ModelView create(CreateModel body, String by) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required");
        Names.require("name", body.name());
        scope.requireWithin(body.name());
        if (Model.findByName(body.name()).isPresent()) {
            throw DomainException.of(ErrorCode.ALREADY_EXISTS, "model '" + body.name() + "' already exists");
        }
        Instant now = clock.instant();
        Model m = new Model();
        m.name = body.name();
        m.description = ModelFields.text("description", body.description(), ModelFields.MAX_TEXT);
        m.task = ModelFields.text("task", body.task(), MAX_TASK);
        m.framework = ModelFields.text("framework", body.framework(), MAX_TASK);
        m.labels = ModelFields.labels(body.labels());
        m.createdAt = now;
        m.updatedAt = now;
        m.createdBy = by;
        ModelFields.persistUnique(m, "model '" + m.name + "' already exists");
        live.model(m.name);
        return views.view(m);
    }

    /** Applies a JSON merge patch (RFC 7396) to description, task, framework and labels. */
    @Transactional
    public ModelView patch(String name, JsonNode patch) {
        Model m = lookup.model(name);
        ObjectNode p = ModelFields.object(patch);
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode v = p.get(field);
            switch (field) {
                case "description" -> m.description = ModelFields.text(field, ModelFields.textOrNull(field, v), ModelFields.MAX_TEXT);
                case "task" -> m.task = ModelFields.text(field, ModelFields.textOrNull(field, v), MAX_TASK);
                case "framework" -> m.framework = ModelFields.text(field, ModelFields.textOrNull(field, v), MAX_TASK);
                case "labels" -> m.labels = ModelFields.labels(ModelFields.mergeLabels(m.labels, v));
                case "name" -> throw DomainException.field(ErrorCode.INVALID_FIELD, "name", "name: a model cannot be renamed");
                default -> throw UnknownNameException.field(field, MODEL_PATCH);
            }
        }
        m.updatedAt = clock.instant();
        live.model(m.name);
        return views.view(m);
    }

    /** Deletes a model that never released anything (only drafts, which go with it). */
    @Transactional
    public void delete(String name) {
        Model m = lookup.model(name);
        long released = ModelVersion.count("model = ?1 and status <> ?2", m, VersionStatus.DRAFT);
        if (released > 0) {
            throw DomainException.of(ErrorCode.MODEL_HAS_RELEASES, "model '" + name + "' has " + released
                    + " released version(s); deprecate or revoke them instead of deleting the model");
        }
        ModelAlias.delete("model", m);
        em.createQuery("delete from Artifact a where a.version.id in (select v.id from ModelVersion v where v.model = ?1)")
                .setParameter(1, m).executeUpdate();
        ModelVersion.delete("model", m);
        m.delete();
        live.model(name);
    }
}
