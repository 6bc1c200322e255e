package dev.modelyard.client;

import java.time.Instant;
import java.util.List;

/** The trust root chain devices verify releases with ({@code /api/v1/trust}). */
public final class Trust {

    public record Root(int version, Instant expires, List<String> rootKeyIds, int rootThreshold,
                       List<String> releaseKeyIds, int releaseThreshold, String url) {
    }

    public record Status(String releaseKeyId, String releasePublicKey, Integer rootVersion, Instant rootExpires,
                         boolean releaseKeyTrusted, List<String> problems) {
    }

    private final Transport t;

    Trust(Transport t) {
        this.t = t;
    }

    /** Publishes a signed root document, sent exactly as given (its bytes are what the signatures cover). */
    public Root publishRoot(String signedRootJson) {
        return t.call("POST", "/api/v1/trust/roots", signedRootJson, Root.class);
    }

    public List<Root> roots() {
        return t.list("/api/v1/trust/roots", Root.class);
    }

    /** The newest signed root document, byte for byte. */
    public String latestRoot() {
        return t.text("/api/v1/trust/roots/latest");
    }

    public String root(int version) {
        return t.text(Query.path("/api/v1/trust/roots/{}", version));
    }

    public Status status() {
        return t.get("/api/v1/trust/status", Status.class);
    }
}
