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
 *   <li>55000 (e.g. a database that does not allow connections right now) raised while the pool
 *       opened a connection; elsewhere 55000 is a query's object in the wrong state;</li>
 *   <li>Agroal's acquisition timeout (no free connection in time; see
 *       {@link #isAcquisitionTimeout}): nothing of the request has run yet. A connection leak
 *       looks the same, so the HTTP layer counts these and warns about them;</li>
 *   <li>Hibernate's {@code JDBCConnectionException}.</li>
 * </ul>
 * Constraint violations, syntax errors, serialization failures and the like are not: they are
 * the request's or the code's problem and keep their own mapping. Neither is a refused login
 * (28P01), a missing database (3D000) or any other reason the server gives for not letting the
 * pool in: configuration errors that no retry fixes, so they stay 500s and are logged at ERROR.
 */
public final class DatabaseFailures {

    /** What clients are told to wait before trying again ({@code Retry-After}, seconds). */
    public static final int RETRY_AFTER_SECONDS = 5;

    private static final String HIBERNATE_CONNECTION_EXCEPTION = "org.hibernate.exception.JDBCConnectionException";
    /** Agroal's classes that hand out and open connections (not its statement wrappers, which run queries). */
    private static final String POOL_CLASS = "io.agroal.pool.ConnectionPool";
    private static final Set<String> ACQUIRING_CLASSES = Set.of(POOL_CLASS, "io.agroal.pool.ConnectionFactory");
    /** object_not_in_prerequisite_state; what PostgreSQL answers a login to a database with ALLOW_CONNECTIONS false. */
    private static final String NOT_ACCEPTING_CONNECTIONS = "55000";
    private static final String UNIQUE_VIOLATION = "23505";

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

    /**
     * True when {@code failure}, or anything that caused it, is a unique constraint's refusal
     * (SQLState 23505): a concurrent twin won, which a service answers as a conflict, not a failure.
     */
    public static boolean isUniqueViolation(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) return true;
        }
        return false;
    }

    /**
     * True when {@code failure}, or anything that caused it, is Agroal's acquisition timeout: the
     * pool had no connection to hand out in time. Either the database is slow to let new
     * connections in, or every connection is taken (by load, or by a leak).
     */
    public static boolean isAcquisitionTimeout(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof SQLException sql && acquisitionTimeout(sql)) return true;
        }
        return false;
    }

    private static boolean unavailable(Throwable t) {
        if (t.getClass().getName().equals(HIBERNATE_CONNECTION_EXCEPTION)) return true;
        if (!(t instanceof SQLException sql)) return false;
        String state = sql.getSQLState();
        if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03") || state.equals("53300"))) {
            return true;
        }
        if (NOT_ACCEPTING_CONNECTIONS.equals(state)) return raisedIn(sql, ACQUIRING_CLASSES);
        return acquisitionTimeout(sql);
    }

    /**
     * The pool's own failure, with no SQLState and no SQL failure as its cause: Agroal wraps a
     * failure to open a connection in the same way, and that one is judged by its cause's state.
     */
    private static boolean acquisitionTimeout(SQLException e) {
        return e.getSQLState() == null && !(e.getCause() instanceof SQLException) && raisedIn(e, Set.of(POOL_CLASS));
    }

    private static boolean raisedIn(SQLException e, Set<String> classes) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (classes.contains(frame.getClassName())) return true;
        }
        return false;
    }
}
