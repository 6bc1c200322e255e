package dev.modelyard.server.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * A real PostgreSQL server run by this process from binaries packaged in the jar, for machines
 * with no database of their own. Everything lives in one directory:
 * <ul>
 * <li>{@code pgdata/}: the database cluster, kept across restarts;</li>
 * <li>{@code binaries/}: the PostgreSQL binaries, unpacked at the first start;</li>
 * <li>{@code password}: the random password of the {@code postgres} superuser;</li>
 * <li>{@code postgres.log}: the server's own log.</li>
 * </ul>
 * It listens on 127.0.0.1 only, with no Unix socket, and asks for the password on every
 * connection, so other local users cannot reach the registry's data.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    static final String DATABASE = "modelyard";
    static final String USER = "postgres";
    /** Generous: the first start unpacks and initializes, which takes long on a busy machine. */
    private static final Duration STARTUP_WAIT = Duration.ofMinutes(3);
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(60);
    /**
     * How long {@link #close()} waits for the server to be gone. The library's own stop gives up
     * after 5 s, but with fsync on the shutdown checkpoint can take longer on a busy machine.
     */
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);
    private static final int FREE_PORT_ATTEMPTS = 3;

    private final EmbeddedPostgres postgres;
    private final Path pgdata;
    private final String password;
    private boolean closed;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path pgdata, String password) {
        this.postgres = postgres;
        this.pgdata = pgdata;
        this.password = password;
    }

    /**
     * Starts the server in {@code dir} (created and initialized at the first start) on {@code port}
     * (0: a free one), and creates the registry's database if missing.
     */
    public static EmbeddedDatabase start(Path dir, int port) throws IOException {
        Path pgdata = dir.resolve("pgdata");
        Path passwordFile = dir.resolve("password");
        createOwnerOnlyDirectory(dir);
        boolean fresh = !Files.exists(pgdata.resolve("postgresql.conf"));
        if (fresh) {
            LOG.infof("starting embedded PostgreSQL in %s (first start unpacks and initializes it: may take a minute)", dir);
            // What an interrupted initialization left behind: initdb insists on an empty directory.
            deleteTree(pgdata);
            writeNewPassword(passwordFile);
        } else {
            LOG.infof("starting embedded PostgreSQL in %s", dir);
        }
        String password = readPassword(passwordFile);
        Path log = dir.resolve("postgres.log");
        createOwnerOnlyFile(log);
        EmbeddedPostgres postgres;
        try {
            postgres = port != 0 ? startOn(port, dir, passwordFile, password, log).orElseThrow(() -> new IOException(
                    "the embedded PostgreSQL could not listen on 127.0.0.1:" + port + ", which another program uses; "
                    + "choose another port (MODELYARD_EMBEDDED_POSTGRES_PORT), or unset it for a free one"))
                    : startOnFreePort(dir, passwordFile, password, log);
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).startsWith("could not lock")) {
                throw new IllegalStateException("another Modelyard server is using " + dir
                        + "; stop it, or give this one its own MODELYARD_DATA_DIR", e);
            }
            throw e;
        }
        EmbeddedDatabase db = new EmbeddedDatabase(postgres, pgdata, password);
        try {
            db.createDatabaseIfMissing();
        } catch (SQLException e) {
            db.close();
            throw new IOException("creating the database '" + DATABASE + "' failed: " + e.getMessage(), e);
        }
        LOG.infof("embedded PostgreSQL is running: %s (user %s, password in %s; its log: %s)",
                db.jdbcUrl(), USER, passwordFile, log);
        return db;
    }

    /**
     * A free port is only free until someone takes it: between the probe and PostgreSQL's bind
     * another program can. Then the start is tried again on another free port.
     */
    private static EmbeddedPostgres startOnFreePort(Path dir, Path passwordFile, String password, Path log)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            int port = freeLoopbackPort();
            Optional<EmbeddedPostgres> started = startOn(port, dir, passwordFile, password, log);
            if (started.isPresent()) return started.get();
            if (attempt == FREE_PORT_ATTEMPTS) {
                throw new IOException("the embedded PostgreSQL could not listen on 127.0.0.1 in " + FREE_PORT_ATTEMPTS
                        + " attempts, each on a port that was free a moment before; its log says why: " + log);
            }
            LOG.infof("port %d was taken by another program before the embedded PostgreSQL could listen on it; trying another",
                    port);
        }
    }

    /**
     * Starts the server on {@code port}; empty when the port is in use. The library waits for a
     * server to answer until {@link #STARTUP_WAIT}, also for one that exited because it could
     * not listen; a watch on the server's log notices that and ends the wait by interrupting it
     * (the library then returns as if started), so the port can be tried again at once.
     */
    private static Optional<EmbeddedPostgres> startOn(int port, Path dir, Path passwordFile, String password, Path log)
            throws IOException {
        BindFailureWatch watch = BindFailureWatch.start(log, Thread.currentThread());
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(dir.resolve("binaries").toFile())
                    .setDataDirectory(dir.resolve("pgdata"))
                    .setCleanDataDirectory(false)
                    // Stopped by ServerMain once Quarkus has closed its connections, not by a hook of its own.
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .setPGStartupWait(STARTUP_WAIT)
                    // initdb: every TCP connection needs the password; the C locale exists everywhere.
                    .setLocaleConfig("locale", "C")
                    .setLocaleConfig("auth-host", "scram-sha-256")
                    .setLocaleConfig("pwfile", passwordFile.toString())
                    .setConnectConfig("password", password)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("unix_socket_directories", "")
                    .setServerConfig("log_checkpoints", "off")
                    // The library's defaults suit throw-away test databases (its -F turns fsync off);
                    // a registry's records must survive a power cut.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    // Runs once this process holds the data directory's lock, before the server starts.
                    .setDataDirectoryCustomizer(EmbeddedDatabase::stopLeftoverServer)
                    .start();
        } finally {
            watch.stop();
        }
        if (!watch.bindFailed()) return Optional.of(postgres);
        // The interrupt was ours; the library's handle only holds the data directory's lock now.
        Thread.interrupted();
        postgres.close();
        return Optional.empty();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return password;
    }

    /**
     * Stops the server (fast shutdown: open sessions are ended) and waits until its process is
     * gone; idempotent, and safe from two threads (ServerMain's exit handler and shutdown hook).
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        // Read while it runs: PostgreSQL removes the file as it stops.
        Optional<ProcessHandle> postmaster;
        try {
            postmaster = postmasterPid(pgdata.resolve("postmaster.pid")).flatMap(ProcessHandle::of);
        } catch (UncheckedIOException e) {
            console("WARN", "reading the embedded PostgreSQL's process id failed: " + e.getMessage());
            postmaster = Optional.empty();
        }
        try {
            postgres.close();
        } catch (IOException e) {
            console("WARN", "stopping the embedded PostgreSQL failed: " + e.getMessage());
        }
        postmaster.ifPresent(EmbeddedDatabase::awaitStop);
    }

    /**
     * The library's stop returns after 5 s whether or not the server is gone. Ask again (SIGINT,
     * a fast shutdown, in case its request never arrived) and wait for the process to end, so the
     * server does not outlive this process.
     */
    private static void awaitStop(ProcessHandle postmaster) {
        if (!postmaster.isAlive()) return;
        console("INFO", "waiting for the embedded PostgreSQL (process " + postmaster.pid() + ") to finish stopping");
        requestFastShutdown(postmaster);
        try {
            postmaster.onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            console("INFO", "the embedded PostgreSQL stopped");
        } catch (TimeoutException e) {
            console("ERROR", "the embedded PostgreSQL (process " + postmaster.pid() + ") did not stop within "
                    + STOP_WAIT.toSeconds() + " s and is still running; the next start of the server stops it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            console("ERROR", "interrupted while waiting for the embedded PostgreSQL (process " + postmaster.pid()
                    + ") to stop; it may still be running");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What happens while stopping is printed, not logged: the database stops after Quarkus, whose
     * logging is shut down by then, and before it has started, when records are only queued.
     */
    private static void console(String level, String message) {
        System.err.println(Instant.now() + " " + level + " [" + EmbeddedDatabase.class.getName() + "] " + message);
    }

    /** SIGINT is PostgreSQL's fast shutdown; Java can send only SIGTERM (smart shutdown), so kill(1) sends it. */
    private static void requestFastShutdown(ProcessHandle postmaster) {
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0) return;
            kill.destroyForcibly();
        } catch (IOException e) {
            // No kill(1) here: the SIGTERM below has to do.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Smart shutdown: enough, since the server's clients are gone by now.
        postmaster.destroy();
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) return;
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        }
    }

    /**
     * A server left running by a Modelyard process that was killed (SIGKILL, power cut of the JVM
     * alone) still owns the data directory: stop it, so this process can start its own. A
     * {@code postmaster.pid} naming a process that is gone, or that is no PostgreSQL server, is
     * stale and removed. Safe because this process holds the directory's lock, which a running
     * Modelyard server would hold.
     */
    private static void stopLeftoverServer(File pgdata) {
        Path pidFile = pgdata.toPath().resolve("postmaster.pid");
        Optional<ProcessHandle> leftover = postmasterOf(pidFile);
        if (leftover.isPresent()) {
            ProcessHandle p = leftover.get();
            LOG.warnf("stopping PostgreSQL process %d left running in %s by an earlier server that did not stop cleanly",
                    p.pid(), pgdata);
            // SIGTERM is PostgreSQL's "smart" shutdown: the dead server's sessions are gone already.
            p.destroy();
            try {
                p.onExit().get(ORPHAN_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("the PostgreSQL process " + p.pid() + " left running in " + pgdata
                        + " did not stop within " + ORPHAN_STOP_WAIT.toSeconds() + " s; stop it and start again", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping a leftover PostgreSQL", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            // PostgreSQL removes it when it stops; what remains after a crash would block the start.
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The live PostgreSQL server named by a {@code postmaster.pid}, if there is one. */
    private static Optional<ProcessHandle> postmasterOf(Path pidFile) {
        Optional<Long> pid = postmasterPid(pidFile);
        Optional<ProcessHandle> p = pid.flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (p.isEmpty()) return Optional.empty();
        Optional<String> command = p.get().info().command();
        if (command.isEmpty()) {
            throw new IllegalStateException(pidFile + " names the running process " + pid.get()
                    + ", which this user cannot inspect; if it is a PostgreSQL server stop it, otherwise remove the file");
        }
        return command.get().endsWith("/postgres") ? p : Optional.empty();
    }

    /** The process id on the first line of a {@code postmaster.pid}, if the file is there and readable. */
    private static Optional<Long> postmasterPid(Path pidFile) {
        List<String> lines;
        try {
            if (!Files.exists(pidFile)) return Optional.empty();
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (lines.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Long.parseLong(lines.get(0).strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void writeNewPassword(Path file) throws IOException {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, HexFormat.of().formatHex(random) + "\n", StandardCharsets.US_ASCII);
    }

    /**
     * The directory holds the password and the server's log, which may quote SQL: owner only,
     * also when an earlier version created it with the usual permissions.
     */
    private static void createOwnerOnlyDirectory(Path dir) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    private static void createOwnerOnlyFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static String readPassword(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("the embedded PostgreSQL's password file " + file + " is missing; restore it, "
                    + "or move the directory " + file.getParent() + " away to start with an empty database");
        }
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
