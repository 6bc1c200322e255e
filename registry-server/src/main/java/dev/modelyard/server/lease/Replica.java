package dev.modelyard.server.lease;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/**
 * This server process among the replicas that share the database: a name that is unique per
 * process (a restarted replica is a new one), readable in the lease table and in logs.
 */
@ApplicationScoped
public class Replica {

    private final String id;

    public Replica() {
        // A pod's name on Kubernetes, the host name elsewhere; the suffix tells restarts apart.
        String host = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("replica");
        this.id = host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String id() {
        return id;
    }
}
