package dev.modelyard.server.deployment;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import org.jboss.logging.Logger;

/**
 * Refreshes PostgreSQL's statistics of the action tables after a large assignment. The planner
 * picks the poll's query plans from them; statistics taken while the table was small make it scan
 * the whole table for every poll until autovacuum analyzes it (up to minutes later), which after
 * an assignment of 100,000 devices cut poll throughput a hundredfold.
 */
@ApplicationScoped
class PlannerStatistics {

    /** Rows one assignment must add before the statistics are refreshed at once. */
    static final int THRESHOLD = 1_000;
    private static final Logger LOG = Logger.getLogger(PlannerStatistics.class);

    private final AgroalDataSource db;
    private final ExecutorService background;

    PlannerStatistics(AgroalDataSource db, ExecutorService background) {
        this.db = db;
        this.background = background;
    }

    void afterCommit(@Observes(during = TransactionPhase.AFTER_SUCCESS) Assigned assignment) {
        if (assignment.created() < THRESHOLD) return;
        background.execute(this::analyze);
    }

    private void analyze() {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("ANALYZE action, action_status, installed_model");
        } catch (SQLException e) {
            LOG.warnf("could not refresh the planner statistics of the action tables (%s); autovacuum will", e.getMessage());
        }
    }
}
