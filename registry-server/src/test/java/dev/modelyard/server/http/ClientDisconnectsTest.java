package dev.modelyard.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which failures only mean that the client went away. */
class ClientDisconnectsTest {

    private record Case(String what, Throwable failure, boolean disconnect) {
    }

    @Test
    void recognisesDepartedClients() {
        List<Case> cases = List.of(
                new Case("connection reset", new IOException("Connection reset by peer"), true),
                new Case("broken pipe", new IOException("Broken pipe"), true),
                new Case("closed channel", new ClosedChannelException(), true),
                new Case("Vert.x: connection was closed", new VertxException("Connection was closed"), true),
                new Case("Vert.x: HTTP connection closed", new HttpClosedException("Connection was closed"), true),
                new Case("wrapped", new UncheckedIOException(new IOException("Connection reset by peer")), true),
                new Case("disk full", new IOException("No space left on device"), false),
                new Case("a bug", new IllegalStateException("Connection reset by peer is not an I/O failure here"), false),
                new Case("no message", new IOException(), false));
        for (Case c : cases) {
            assertEquals(c.disconnect(), ClientDisconnects.isDisconnect(c.failure()), c.what());
        }
    }
}
