package dev.modelyard.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * A client that goes away (an upload cut off, a download aborted, a connection reset) is routine
 * (devices resume downloads, uplinks drop), not a server error: it is logged at DEBUG, never at
 * ERROR. Failures of that kind reach the server in two places. One is a resource reading the
 * body: {@link ProblemMappers#unexpected} asks {@link #clientGone} about the request itself,
 * never the failure's text, because the same words ("connection reset") come from a blob store
 * or any other peer the server talks to, and those failures are the server's (500, at ERROR).
 * The other is the client's connection itself while the HTTP layer writes a response; what
 * Vert.x reports there is about that connection only, so {@link #isDisconnect} may judge it by
 * type and message. Vert.x logs the latter at ERROR unless the connection has an
 * exception handler, so every request's connection gets {@link #CONNECTION_FAILURES} (setting it
 * costs one field write per request), and a failed sendfile (a download aborted) at ERROR in any
 * case, so its logger gets a filter ({@link #SENDFILE_LOG}).
 */
@ApplicationScoped
public class ClientDisconnects {

    private static final Logger LOG = Logger.getLogger(ClientDisconnects.class);
    /** Before Quarkus' own handlers (authentication, body), so it covers every request. */
    private static final int ORDER = -10_000;
    /** What Vert.x, Netty and the JDK say when the peer closed or reset the connection. */
    private static final String[] MESSAGES = {
            "connection was closed", "connection reset", "broken pipe", "stream is closed", "connection closed"};

    /**
     * Vert.x logs a failed sendfile at ERROR on this logger whatever the connection's handler; a
     * filter on the logger (so every log handler sees the same) turns a departed client's into
     * a DEBUG line of ours. Held here: a logger's configuration lives as long as it is referenced.
     */
    private static final java.util.logging.Logger SENDFILE_LOG =
            java.util.logging.Logger.getLogger("io.vertx.core.net.impl.ConnectionBase");

    private static final Handler<Throwable> CONNECTION_FAILURES = failure -> {
        if (isDisconnect(failure)) {
            LOG.debugf("a client went away: %s", failure);
        } else {
            LOG.error("HTTP connection failed", failure);
        }
    };

    void watchConnections(@Observes Router router) {
        SENDFILE_LOG.setFilter(ClientDisconnects::notADisconnect);
        router.route().order(ORDER).handler(context -> {
            if (context.request().connection() != null) context.request().connection().exceptionHandler(CONNECTION_FAILURES);
            context.next();
        });
    }

    private static boolean notADisconnect(java.util.logging.LogRecord record) {
        if (record.getThrown() == null || !isDisconnect(record.getThrown())) return true;
        LOG.debugf("a client went away while a file was sent to it: %s", record.getThrown());
        return false;
    }

    /**
     * True when the client of {@code request} is gone: its connection closed, so no answer can
     * reach it. Decided from the request, whatever failure made the resource stop.
     */
    static boolean clientGone(HttpServerRequest request) {
        return request != null && request.response().closed();
    }

    /**
     * For failures Vert.x reports from a client's own connection (its exception handler, a failed
     * sendfile) and nothing else: true when {@code failure}, or what caused it, only says that
     * the client closed or reset the connection.
     */
    static boolean isDisconnect(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof ClosedChannelException) return true;
            String type = t.getClass().getName();
            if (type.equals("io.vertx.core.http.HttpClosedException")) return true;
            boolean io = t instanceof IOException || type.equals("io.vertx.core.VertxException") || type.startsWith("io.netty.");
            if (io && mentionsClosedConnection(t.getMessage())) return true;
        }
        return false;
    }

    private static boolean mentionsClosedConnection(String message) {
        if (message == null) return false;
        String m = message.toLowerCase(Locale.ROOT);
        for (String s : MESSAGES) {
            if (m.contains(s)) return true;
        }
        return false;
    }
}
