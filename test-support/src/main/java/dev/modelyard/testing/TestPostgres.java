package dev.modelyard.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A database of its own for one test run, on the real local PostgreSQL, dropped afterwards.
 * The server is found through {@code MODELYARD_TEST_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres}) and {@code MODELYARD_TEST_PG_USER}.
 */
public final class TestPostgres implements AutoCloseable {

    private static final String ADMIN_URL = env("MODELYARD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    private static final String USER = env("MODELYARD_TEST_PG_USER", "postgres");
    private static final String PASSWORD = env("MODELYARD_TEST_PG_PASSWORD", "");

    private final String name;

    private TestPostgres(String name) {
        this.name = name;
    }

    /** Creates {@code modelyard_<purpose>_<timestamp>_<random>}. */
    public static TestPostgres create(String purpose) {
        String name = "modelyard_" + purpose + "_" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
                + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
        admin("CREATE DATABASE " + name);
        return new TestPostgres(name);
    }

    public String name() {
        return name;
    }

    public String jdbcUrl() {
        int slash = ADMIN_URL.lastIndexOf('/');
        return ADMIN_URL.substring(0, slash + 1) + name;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    /** A connection to the server's maintenance database, for what a test does to the server itself. */
    public static Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(ADMIN_URL, USER, PASSWORD);
    }

    @Override
    public void close() {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + ADMIN_URL + " refused '" + sql + "': " + e.getMessage()
                    + " (is PostgreSQL running? see README, 'Running the tests')", e);
        }
    }

    private static String env(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : v;
    }
}
