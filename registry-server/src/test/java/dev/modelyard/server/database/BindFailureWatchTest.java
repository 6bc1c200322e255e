package dev.modelyard.server.database;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch that ends the wait for an embedded PostgreSQL which could not listen on its port. */
class BindFailureWatchTest {

    /** Generous: the watch reads the log every 200 ms, slower on a busy machine. */
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aBindFailureLoggedAfterTheStartInterruptsTheWaitingThread() throws Exception {
        Path log = dir.resolve("postgres.log");
        // The log is appended to by every start; the watch reads only what this one adds.
        Files.writeString(log, "LOG:  " + BindFailureWatch.BIND_FAILURE + "\n");
        BindFailureWatch watch = BindFailureWatch.start(log, Thread.currentThread());
        Files.writeString(log, """
                LOG:  could not bind IPv4 address "127.0.0.1": Address already in use
                FATAL:  could not create any TCP/IP sockets
                pg_ctl: could not start server
                """, StandardOpenOption.APPEND);
        boolean interrupted = false;
        try {
            Thread.sleep(DEADLINE.toMillis());
        } catch (InterruptedException e) {
            interrupted = true;
        }
        watch.stop();
        assertTrue(interrupted, "the waiting thread was interrupted");
        assertTrue(watch.bindFailed());
        assertFalse(Thread.interrupted(), "no interrupt is left pending after stop()");
    }
}
