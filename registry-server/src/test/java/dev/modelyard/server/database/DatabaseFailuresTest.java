package dev.modelyard.server.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.PersistenceException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import org.hibernate.exception.GenericJDBCException;
import org.hibernate.exception.JDBCConnectionException;
import org.junit.jupiter.api.Test;

/** Which failures mean "the database cannot be reached" (503) and which do not. */
class DatabaseFailuresTest {

    private record Case(String what, Throwable failure, boolean unavailable) {
    }

    @Test
    void classifiesFailures() {
        List<Case> cases = List.of(
                new Case("connection refused (08001)", sql("Connection to 127.0.0.1:5432 refused", "08001"), true),
                new Case("I/O error on a broken connection (08006)", sql("An I/O error occurred", "08006"), true),
                new Case("connection already closed (08003)", sql("This connection has been closed.", "08003"), true),
                new Case("terminated by an administrator (57P01)", sql("terminating connection due to administrator command", "57P01"), true),
                new Case("crash of another backend (57P02)", sql("terminating connection because of crash", "57P02"), true),
                new Case("the server is starting (57P03)", sql("the database system is starting up", "57P03"), true),
                new Case("too many connections (53300)", sql("too many clients already", "53300"), true),
                new Case("refused while the pool opened a connection (55000)",
                        acquiring(sql("database \"x\" is not currently accepting connections", "55000"), "io.agroal.pool.ConnectionFactory"), true),
                new Case("Agroal's acquisition timeout", acquiring(new SQLException("Sorry, acquisition timeout!"), "io.agroal.pool.ConnectionPool"), true),
                new Case("wrong password while the pool opened a connection (28P01)",
                        acquiring(sql("password authentication failed for user \"x\"", "28P01"), "io.agroal.pool.ConnectionFactory"), false),
                new Case("missing database while the pool opened a connection (3D000)",
                        acquiring(sql("database \"x\" does not exist", "3D000"), "io.agroal.pool.ConnectionFactory"), false),
                new Case("the pool wrapping a refused login", acquiring(new SQLException("Exception while creating new connection",
                        sql("password authentication failed", "28P01")), "io.agroal.pool.ConnectionPool"), false),
                new Case("the pool wrapping a refused connection", acquiring(new SQLException("Exception while creating new connection",
                        sql("Connection refused", "08001")), "io.agroal.pool.ConnectionPool"), true),
                new Case("55000 from a query, not a login", sql("sequence is not yet defined in this session", "55000"), false),
                new Case("Hibernate's connection exception", new JDBCConnectionException("lost", sql("x", "08006")), true),
                new Case("wrapped by JPA and Hibernate", new PersistenceException(new GenericJDBCException("Unable to acquire JDBC Connection",
                        acquiring(new SQLException("Acquisition timeout while waiting for new connection"), "io.agroal.pool.ConnectionPool"))), true),
                new Case("wrapped by our own code", new IllegalStateException("device token lookup failed", sql("x", "57P01")), true),
                new Case("chained as the next exception", nextOf(sql("batch failed", "XX000"), sql("lost", "08006")), true),
                new Case("suppressed on a rollback", suppressed(new IllegalStateException("commit failed"), sql("lost", "08006")), true),
                new Case("unique violation (23505)", new PersistenceException(sql("duplicate key", "23505")), false),
                new Case("serialization failure (40001)", sql("could not serialize access", "40001"), false),
                new Case("syntax error (42601)", sql("syntax error", "42601"), false),
                new Case("a query's failure with no SQLState", new SQLException("something else"), false),
                new Case("not a database failure", new IOException("disk full"), false),
                new Case("a cause cycle", cycle(), false));
        for (Case c : cases) {
            assertEquals(c.unavailable(), DatabaseFailures.isUnavailable(c.failure()), c.what());
        }
    }

    @Test
    void tellsAcquisitionTimeoutsApart() {
        assertTrue(DatabaseFailures.isAcquisitionTimeout(new PersistenceException(
                acquiring(new SQLException("Sorry, acquisition timeout!"), "io.agroal.pool.ConnectionPool"))));
        assertFalse(DatabaseFailures.isAcquisitionTimeout(sql("Connection refused", "08001")));
        assertFalse(DatabaseFailures.isAcquisitionTimeout(acquiring(new SQLException("Exception while creating new connection",
                sql("Connection refused", "08001")), "io.agroal.pool.ConnectionPool")));
    }

    private static SQLException sql(String message, String state) {
        return new SQLException(message, state);
    }

    /** As the pool throws it: created in the pool's code. */
    private static SQLException acquiring(SQLException e, String poolClass) {
        e.setStackTrace(new StackTraceElement[]{
                new StackTraceElement(poolClass, "getConnection", "Pool.java", 1),
                new StackTraceElement("dev.modelyard.server.device.DeviceTokens", "load", "DeviceTokens.java", 1)});
        return e;
    }

    private static SQLException nextOf(SQLException first, SQLException next) {
        first.setNextException(next);
        return first;
    }

    private static Throwable suppressed(Throwable e, Throwable s) {
        e.addSuppressed(s);
        return e;
    }

    private static Throwable cycle() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        return a;
    }
}
