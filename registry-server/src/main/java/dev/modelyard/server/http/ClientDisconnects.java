package dev.modelyard.server.http;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;

/**
 * Recognises a failure that only means the client went away: an upload cut off, a download
 * aborted, a connection reset. Such failures are routine (devices resume downloads, uplinks
 * drop) and are logged at DEBUG, never as an unexpected server error.
 */
final class ClientDisconnects {

    /** What Vert.x, Netty and the JDK say when the peer closed or reset the connection. */
    private static final String[] MESSAGES = {
            "connection was closed", "connection reset", "broken pipe", "stream is closed",
            "connection closed", "request body was not fully received"};

    private ClientDisconnects() {
    }

    static boolean isDisconnect(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof ClosedChannelException) return true;
            String type = t.getClass().getName();
            if (type.equals("io.vertx.core.http.HttpClosedException")) return true;
            boolean io = t instanceof IOException || type.equals("io.vertx.core.VertxException")
                    || type.startsWith("io.netty.");
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
