package dev.modelyard.server.model;

import dev.modelyard.server.model.ModelApi.AliasView;
import dev.modelyard.server.model.ModelApi.ModelView;
import dev.modelyard.server.model.ModelApi.VersionView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the API shows of models, versions and aliases, fetched in a fixed number of queries per page. */
@ApplicationScoped
class ModelViews {

    private final EntityManager em;

    ModelViews(EntityManager em) {
        this.em = em;
    }

    ModelView view(Model m) {
        return views(List.of(m)).get(0);
    }

    /** Views of a page of models, with their aliases and latest release fetched in two queries, not two per model. */
    List<ModelView> views(List<Model> models) {
        if (models.isEmpty()) return List.of();
        Map<Long, Map<String, String>> aliases = new HashMap<>();
        for (Object[] r : em.createQuery("select a.model.id, a.name, a.version.version from ModelAlias a where a.model in :models",
                Object[].class).setParameter("models", models).getResultList()) {
            aliases.computeIfAbsent((Long) r[0], k -> new TreeMap<>()).put((String) r[1], (String) r[2]);
        }
        Map<Long, String[]> latest = new HashMap<>();
        for (Object[] r : em.createQuery("select v.model.id, v.version, v.sortKey from ModelVersion v "
                        + "where v.model in :models and v.status = :published and v.sortKey like '%~'", Object[].class)
                .setParameter("models", models).setParameter("published", VersionStatus.PUBLISHED).getResultList()) {
            latest.merge((Long) r[0], new String[]{(String) r[1], (String) r[2]}, (a, b) -> a[1].compareTo(b[1]) >= 0 ? a : b);
        }
        return models.stream().map(m -> new ModelView(m.name, m.description, m.task, m.framework, new TreeMap<>(m.labels),
                aliases.getOrDefault(m.id, new TreeMap<>()), latest.containsKey(m.id) ? latest.get(m.id)[0] : null,
                m.createdAt, m.updatedAt, m.createdBy)).toList();
    }

    VersionView view(ModelVersion v) {
        return view(v, artifactCount(v));
    }

    /** Views of a page of versions, their artifacts counted in one query. */
    List<VersionView> versionViews(List<ModelVersion> versions) {
        Map<Long, Long> counts = artifactCounts(versions);
        return versions.stream().map(v -> view(v, counts.getOrDefault(v.id, 0L))).toList();
    }

    private VersionView view(ModelVersion v, long artifactCount) {
        return new VersionView(v.model.name, v.version, v.status, v.changelog, v.metrics, v.lineage, v.ioSignature,
                v.selfTest, v.selfTestSha256 == null ? null : v.selfTestSha256.strip(), artifactCount, v.releaseCounter, v.createdAt, v.createdBy, v.updatedAt, v.publishedAt);
    }

    AliasView view(ModelAlias a) {
        return new AliasView(a.model.name, a.name, a.version.version, a.updatedAt, a.updatedBy);
    }

    long artifactCount(ModelVersion v) {
        return em.createQuery("select count(a) from Artifact a where a.version = ?1", Long.class)
                .setParameter(1, v).getSingleResult();
    }

    private Map<Long, Long> artifactCounts(List<ModelVersion> versions) {
        Map<Long, Long> counts = new HashMap<>();
        if (versions.isEmpty()) return counts;
        for (Object[] r : em.createQuery("select a.version.id, count(a) from Artifact a where a.version in :versions "
                + "group by a.version.id", Object[].class).setParameter("versions", versions).getResultList()) {
            counts.put((Long) r[0], (Long) r[1]);
        }
        return counts;
    }
}
