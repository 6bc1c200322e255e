package dev.modelyard.server.model;

import dev.modelyard.server.auth.ModelScope;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.model.ModelApi.AliasView;
import dev.modelyard.server.model.ModelApi.ModelView;
import dev.modelyard.server.model.ModelApi.VersionView;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The catalogue as readers see it: lists with filters and paging, and single models, versions and aliases. */
@ApplicationScoped
public class ModelQueries {

    private final ModelLookup lookup;
    private final ModelViews views;
    private final ModelScope scope;

    ModelQueries(ModelLookup lookup, ModelViews views, ModelScope scope) {
        this.scope = scope;
        this.lookup = lookup;
        this.views = views;
    }

    /** Filters: label "key:value" (all must match), framework, task, and a name prefix; a scoped caller sees its models only. */
    @Transactional
    public Page<ModelView> listModels(List<String> labelFilters, String framework, String task, String namePrefix,
                                      io.quarkus.panache.common.Page page) {
        StringBuilder where = new StringBuilder();
        Map<String, Object> params = new HashMap<>();
        int i = 0;
        for (String f : labelFilters == null ? List.<String>of() : labelFilters) {
            int colon = f.indexOf(':');
            if (colon <= 0) throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "label", "label: '" + f + "' must be key:value");
            where.append(" and exists (select 1 from Model x join x.labels l where x = m and key(l) = :lk").append(i)
                    .append(" and value(l) = :lv").append(i).append(")");
            params.put("lk" + i, f.substring(0, colon));
            params.put("lv" + i, f.substring(colon + 1));
            i++;
        }
        if (framework != null) {
            where.append(" and framework = :framework");
            params.put("framework", framework);
        }
        if (task != null) {
            where.append(" and task = :task");
            params.put("task", task);
        }
        if (namePrefix != null) {
            where.append(" and name like :prefix escape '\\'");
            params.put("prefix", namePrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        scope.likePattern().ifPresent(like -> {
            where.append(" and name like :scope escape '\\'");
            params.put("scope", like);
        });
        PanacheQuery<Model> q = Model.find("from Model m" + whereClause(where) + " order by name", params).page(page);
        return new Page<>(views.views(q.list()), page.index, page.size, q.count());
    }

    /** The where clause of conditions each written as {@code " and <condition>"}; empty for none. */
    private static String whereClause(CharSequence conditions) {
        return conditions.isEmpty() ? "" : " where " + conditions.toString().substring(" and ".length());
    }

    @Transactional
    public ModelView getModel(String name) {
        return views.view(lookup.model(name));
    }

    @Transactional
    public Page<VersionView> listVersions(String modelName, VersionStatus status, io.quarkus.panache.common.Page page) {
        Model m = lookup.model(modelName);
        PanacheQuery<ModelVersion> q = status == null
                ? ModelVersion.find("model = ?1 order by sortKey desc", m)
                : ModelVersion.find("model = ?1 and status = ?2 order by sortKey desc", m, status);
        q.page(page);
        return new Page<>(views.versionViews(q.list()), page.index, page.size, q.count());
    }

    @Transactional
    public VersionView getVersion(String modelName, String ref) {
        return views.view(lookup.resolve(lookup.model(modelName), ref));
    }

    @Transactional
    public List<AliasView> aliases(String modelName) {
        return ModelAlias.<ModelAlias>list("model = ?1 order by name", lookup.model(modelName)).stream()
                .map(views::view).toList();
    }

    /** The status a list is filtered by. */
    public static VersionStatus statusFilter(String text) {
        try {
            return VersionStatus.parse(text);
        } catch (IllegalArgumentException e) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "status", e.getMessage(), VersionStatus.wireNames());
        }
    }
}
