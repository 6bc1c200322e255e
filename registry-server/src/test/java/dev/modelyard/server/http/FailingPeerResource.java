package dev.modelyard.server.http;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Tests only: fails the way a blob store does when its own connection breaks (S3BlobStore wraps
 * the client's failure in an IOException), while the client of this request is still connected.
 */
@Path("/test-only/failing-peer")
public class FailingPeerResource {

    @GET
    @PermitAll
    @Operation(hidden = true)
    public String fail() {
        throw new UncheckedIOException(new IOException("storage request failed",
                new IOException("Connection reset by peer")));
    }
}
