package dev.modelyard.server.database;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Tells "the database could not be reached" apart from every other failure, in one place, so that
 * the HTTP layer answers 503 with {@code Retry-After} (the request was fine, try again) rather than
 * 500, and the device API never mistakes "could not check the token" for "bad token".
 *
 * <p>Walks the whole cause chain (and suppressed exceptions): the SQL failure usually arrives
 * wrapped by Hibernate ({@code JDBCConnectionException}, {@code GenericJDBCException}), JPA
 * ({@code PersistenceException}), the transaction manager or our own {@code IllegalStateException}s.
 * Unavailable means any of:
 * <ul>
 *   <li>an {@link SQLException} whose SQLState is of class 08 (connection exception: refused,
 *       broken, closed), 57P01/57P02/57P03 (the server terminated the connection, crashed, or is
 *       starting or stopping) or 53300 (too many connections);</li>
 *   <li>an {@link SQLException} raised while the pool acquired or opened a connection (Agroal's
 *       acquisition timeout, or the server refusing a new connection for any reason, e.g. a
 *       database that does not allow connections right now): nothing of the request has run yet,
 *       so whatever the server's reason, the request may simply be retried;</li>
 *   <li>Hibernate's {@code JDBCConnectionException}.</li>
 * </ul>
 * Constraint violations, syntax errors, serialization failures and the like are not: they are
 * the request's or the code's problem and keep their own mapping.
 */
public final class DatabaseFailures {

    /** What clients are told to wait before trying again ({@code Retry-After}, seconds). */
    public static final int RETRY_AFTER_SECONDS = 5;

    private static final String HIBERNATE_CONNECTION_EXCEPTION = "org.hibernate.exception.JDBCConnectionException";
    /** Agroal's classes that hand out and open connections (not its statement wrappers, which run queries). */
    private static final Set<String> ACQUIRING_CLASSES = Set.of("io.agroal.pool.ConnectionPool", "io.agroal.pool.ConnectionFactory");

    private DatabaseFailures() {
    }

    /** True when {@code failure}, or anything that caused it, says the database cannot be reached now. */
    public static boolean isUnavailable(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return search(failure, seen);
    }

    private static boolean search(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) return false;
        if (unavailable(t)) return true;
        if (t instanceof SQLException sql && search(sql.getNextException(), seen)) return true;
        for (Throwable s : t.getSuppressed()) {
            if (search(s, seen)) return true;
        }
        return search(t.getCause(), seen);
    }

    private static boolean unavailable(Throwable t) {
        if (t.getClass().getName().equals(HIBERNATE_CONNECTION_EXCEPTION)) return true;
        if (!(t instanceof SQLException sql)) return false;
        String state = sql.getSQLState();
        if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03") || state.equals("53300"))) {
            return true;
        }
        return raisedWhileAcquiring(sql);
    }

    private static boolean raisedWhileAcquiring(SQLException e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (ACQUIRING_CLASSES.contains(frame.getClassName())) return true;
        }
        return false;
    }
}
