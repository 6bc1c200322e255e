package dev.modelyard.server.database;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads what a starting PostgreSQL appends to its log and, when the server gives up because it
 * cannot listen on its port, interrupts the thread waiting for it to answer.
 */
final class BindFailureWatch {

    /** What the postmaster logs before it exits when no listen address could be bound. */
    static final String BIND_FAILURE = "could not create any TCP/IP sockets";
    private static final long POLL_MILLIS = 200;

    private final Path log;
    private final long from;
    private final Thread waiting;
    private final AtomicBoolean failed = new AtomicBoolean();
    private final Thread watcher;
    private volatile boolean stopped;

    private BindFailureWatch(Path log, long from, Thread waiting) {
        this.log = log;
        this.from = from;
        this.waiting = waiting;
        this.watcher = new Thread(this::watch, "embedded-postgres-bind-watch");
        watcher.setDaemon(true);
    }

    /** Watches what is appended to {@code log} from now on, on behalf of {@code waiting}. */
    static BindFailureWatch start(Path log, Thread waiting) throws IOException {
        BindFailureWatch w = new BindFailureWatch(log, Files.size(log), waiting);
        w.watcher.start();
        return w;
    }

    /** Ends the watch; once it returns, no interrupt is on its way. */
    void stop() {
        stopped = true;
        watcher.interrupt();
        boolean interrupted = false;
        while (watcher.isAlive()) {
            try {
                watcher.join();
            } catch (InterruptedException e) {
                // Possibly our own watcher's interrupt arriving: keep waiting, restore it below.
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Whether the server reported that it could not listen (the waiting thread was then interrupted). */
    boolean bindFailed() {
        return failed.get();
    }

    private void watch() {
        while (!stopped) {
            if (appendedText().contains(BIND_FAILURE)) {
                failed.set(true);
                waiting.interrupt();
                return;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String appendedText() {
        try (InputStream in = Files.newInputStream(log)) {
            in.skipNBytes(from);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
