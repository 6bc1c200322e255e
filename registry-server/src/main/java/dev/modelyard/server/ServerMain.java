package dev.modelyard.server;

import dev.modelyard.server.database.EmbeddedDatabase;
import dev.modelyard.server.http.RequestShape;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The server's entry point. With a database configured ({@code quarkus.datasource.jdbc.url}, e.g.
 * {@code QUARKUS_DATASOURCE_JDBC_URL}) it just runs Quarkus. Without one it
 * first starts an {@link EmbeddedDatabase} in {@code <modelyard.data-dir>/postgres} and points
 * the datasource at it, so the server runs on a machine with nothing but a JDK.
 *
 * <p>Shutdown order matters: the database must stop only after Quarkus has closed its
 * datasource (flushed last-seen times, ended the change feed's session, returned every pooled
 * connection), or those last statements fail. Two paths lead here:
 * <ul>
 * <li>Quarkus stops by itself (start-up failure, {@code Quarkus.asyncExit}): {@code Quarkus.run}
 * calls our exit handler once the application is fully stopped; it stops the database, then
 * exits.</li>
 * <li>SIGTERM or Ctrl-C: the JVM runs every shutdown hook at once. Quarkus's hook stops the
 * application and wakes this main thread, which waits for that stop to complete
 * ({@code Application.stop} waits for a stop in progress) before it calls the exit handler. Our
 * own hook only keeps the JVM alive until the exit handler has stopped the database (the JVM
 * halts when the last hook returns), and stops it itself if that never happens.</li>
 * </ul>
 * A kill -9 leaves the database running; the next start stops it ({@link EmbeddedDatabase}).
 */
@QuarkusMain
public final class ServerMain {

    private static final Logger LOG = Logger.getLogger(ServerMain.class);
    /** How long the shutdown hook waits for Quarkus to stop before it stops the database anyway. */
    private static final Duration QUARKUS_STOP_WAIT = Duration.ofSeconds(90);

    public static void main(String... args) {
        // Before Quarkus loads its HTTP entry, which reads this once: see http.RequestShape.
        System.setProperty(RequestShape.URI_VALIDATION_OFF, "true");
        if (setting("quarkus.datasource.jdbc.url").isPresent()) {
            Quarkus.run(args);
            return;
        }
        Path dataDir = Path.of(setting("modelyard.data-dir").orElse("data"));
        EmbeddedDatabase db;
        try {
            db = EmbeddedDatabase.start(dataDir.resolve("postgres"),
                    Integer.parseInt(setting("modelyard.embedded-postgres.port").orElse("0")));
        } catch (Exception e) {
            // Not through the logger: Quarkus sets logging up when it starts, and until then it only
            // queues records, so a message logged before an exit would never be printed.
            System.err.println("ERROR the embedded PostgreSQL did not start: " + causes(e)
                    + "\nSet QUARKUS_DATASOURCE_JDBC_URL to use a PostgreSQL server of your own.");
            System.exit(1);
            return;
        }
        System.setProperty("quarkus.datasource.jdbc.url", db.jdbcUrl());
        System.setProperty("quarkus.datasource.username", db.user());
        System.setProperty("quarkus.datasource.password", db.password());

        CountDownLatch databaseStopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                databaseStopped.await(QUARKUS_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            db.close();
        }, "embedded-postgres-stop"));

        Quarkus.run(null, (exitCode, failure) -> {
            if (failure != null) {
                // Quarkus reports a failed start itself only when it has no exit handler of ours.
                LOG.error("the server did not start", failure);
            }
            db.close();
            databaseStopped.countDown();
            // During a signal the JVM is exiting already; System.exit would block this thread forever.
            if (!ApplicationLifecycleManager.isVmShuttingDown()) {
                System.exit(exitCode);
            }
        }, args);
    }

    /** The messages of a failure and of its causes, as one line. */
    private static String causes(Throwable failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        for (Throwable c = failure.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !text.toString().contains(c.getMessage())) text.append(": ").append(c.getMessage());
        }
        return text.toString();
    }

    /**
     * A setting, read before Quarkus reads its configuration, from the places an operator sets it:
     * a system property, the environment, or the working directory's {@code .env} and
     * {@code config/application.properties} files (plain or with the prod profile's prefix).
     * Values set here as system properties would outrank those files, so they must be seen.
     */
    private static Optional<String> setting(String property) {
        String env = property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        Properties dotEnv = load(Path.of(".env"));
        Properties config = load(Path.of("config", "application.properties"));
        return Stream.of(System.getProperty(property), System.getenv(env), System.getenv("_PROD_" + env),
                        dotEnv.getProperty(env), dotEnv.getProperty("_PROD_" + env),
                        config.getProperty(property), config.getProperty("%prod." + property))
                .filter(Objects::nonNull).map(String::strip).filter(v -> !v.isEmpty()).findFirst();
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file + " failed", e);
            }
        }
        return p;
    }
}
