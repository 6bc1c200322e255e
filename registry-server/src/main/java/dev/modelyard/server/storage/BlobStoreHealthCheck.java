package dev.modelyard.server.storage;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the blob store answers. */
@Readiness
@ApplicationScoped
public class BlobStoreHealthCheck implements HealthCheck {

    private final BlobStore store;

    public BlobStoreHealthCheck(BlobStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            store.checkReachable();
            return HealthCheckResponse.named("blob-store").up().withData("kind", store.kind()).build();
        } catch (Exception e) {
            return HealthCheckResponse.named("blob-store").down().withData("error", e.getMessage()).build();
        }
    }
}
