package dev.modelyard.server.deployment;

import dev.modelyard.server.model.ModelLookup;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.tenant.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * What a version's deployments cost on the wire: the transfer figures of all its actions (plain
 * deployments and rollouts alike) in one aggregate, the per-version counterpart of a rollout's
 * totals.
 */
@ApplicationScoped
public class VersionTransfers {

    private final EntityManager em;
    private final ModelLookup models;
    private final TenantContext tenants;

    VersionTransfers(EntityManager em, ModelLookup models, TenantContext tenants) {
        this.em = em;
        this.models = models;
        this.tenants = tenants;
    }

    /** The totals of the version's reporting actions. MODEL_NOT_FOUND / VERSION_NOT_FOUND when there is no such version. */
    @Transactional
    public DeploymentApi.TransferTotals of(String model, String version) {
        ModelVersion v = models.exact(models.model(model), version);
        Object[] row = (Object[]) em.createNativeQuery("SELECT " + DeploymentApi.TransferTotals.SUMS
                        + " FROM action WHERE version_id = ?1 AND tenant = ?2 AND transfer_kind IS NOT NULL")
                .setParameter(1, v.id).setParameter(2, tenants.current()).getSingleResult();
        return DeploymentApi.TransferTotals.of(number(row[0]), number(row[1]), number(row[2]), number(row[3]),
                number(row[4]), number(row[5]));
    }

    private static long number(Object column) {
        return ((Number) column).longValue();
    }
}
