package dev.modelyard.server.lease;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * This server process among the replicas that share the database: a name that is unique per
 * process (a restarted replica is a new one), readable in the lease table, in the lease owners
 * of conversion jobs and in logs.
 */
@ApplicationScoped
public class Replica {

    private static final Logger LOG = Logger.getLogger(Replica.class);

    private final String id;

    public Replica() {
        // A pod's name on Kubernetes, the host name elsewhere; the suffix tells restarts apart.
        String host = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("replica");
        this.id = host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String id() {
        return id;
    }

    /**
     * Names this replica once in the log with its process id, so an operator who finds the name in
     * the lease table or a job's log knows which process (of several on one host) it was.
     */
    void announce(@Observes StartupEvent event) {
        LOG.infof("replica %s is process %d", id, ProcessHandle.current().pid());
    }
}
