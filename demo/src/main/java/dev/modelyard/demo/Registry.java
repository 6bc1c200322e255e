package dev.modelyard.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Where the registry server answers, and whether it is ready yet. The management API itself is
 * used through the API client, as an operator's program would; its refusals carry the server's
 * problem detail and code.
 */
final class Registry {

    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Registry(URI base) {
        this.base = base;
    }

    URI base() {
        return base;
    }

    /** True once the server answers its readiness check; false while it is starting. */
    boolean ready() throws InterruptedException {
        try {
            HttpRequest request = HttpRequest.newBuilder(base.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }
}
