package dev.modelyard.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * A client of the registry's management API ({@code /api/v1}). One instance per server and
 * credential; it is thread-safe and cheap to share. Each area of the API has a small facade, a
 * stateless view of the one transport (so a new area is one class and one method here):
 *
 * <pre>{@code
 * ModelyardClient client = ModelyardClient.connect(URI.create("http://registry:8080"), token);
 * client.models().create(Models.NewModel.named("kws"));
 * client.versions().create("kws", Versions.NewVersion.of("1.0.0"));
 * client.artifacts().put("kws", "1.0.0", "kws.onnx", Path.of("kws.onnx"), Artifacts.target("onnx"));
 * client.versions().publish("kws", "1.0.0");
 * }</pre>
 *
 * A refusal arrives as {@link ApiProblemException} with the stable error code; a failed
 * connection as {@link java.io.UncheckedIOException}.
 */
public final class ModelyardClient {

    /**
     * The header naming the tenant a call is meant for, sent only when one was chosen. An API token
     * acts only in its own tenant: the server refuses a call whose header names another one
     * (403 {@code tenant-mismatch}), so a client pointed at the wrong context fails instead of
     * acting on the wrong team's data.
     */
    public static final String TENANT_HEADER = "Modelyard-Tenant";
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private final Transport transport;

    private ModelyardClient(Transport transport) {
        this.transport = transport;
    }

    /** A client of the server at {@code base} (e.g. {@code http://registry:8080}) with an API token. */
    public static ModelyardClient connect(URI base, String token) {
        return builder(base).token(token).build();
    }

    public static Builder builder(URI base) {
        return new Builder(base);
    }

    /** The same server and credential, for calls meant for {@code tenant}. */
    public ModelyardClient forTenant(String tenant) {
        return new ModelyardClient(transport.withTenant(Objects.requireNonNull(tenant, "tenant")));
    }

    /** The tenant chosen for this client's calls, or null for the token's own tenant. */
    public String tenant() {
        return transport.tenant();
    }

    /** The absolute address of an API path, e.g. for a link an answer carries. */
    public URI uri(String path) {
        return transport.uri(path);
    }

    public Models models() {
        return new Models(transport);
    }

    public Versions versions() {
        return new Versions(transport);
    }

    public Artifacts artifacts() {
        return new Artifacts(transport);
    }

    public Devices devices() {
        return new Devices(transport);
    }

    public Deployments deployments() {
        return new Deployments(transport);
    }

    public Tokens tokens() {
        return new Tokens(transport);
    }

    public Profiles profiles() {
        return new Profiles(transport);
    }

    public Conversions conversions() {
        return new Conversions(transport);
    }

    public Trust trust() {
        return new Trust(transport);
    }

    public Rollouts rollouts() {
        return new Rollouts(transport);
    }

    public Session session() {
        return new Session(transport);
    }

    public Manifests manifests() {
        return new Manifests(transport);
    }

    public GitSources gitSources() {
        return new GitSources(transport);
    }

    public static final class Builder {
        private final URI base;
        private String token;
        private String tenant;
        private HttpClient http;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder(URI base) {
            this.base = Objects.requireNonNull(base, "base");
        }

        /** The API token ({@code myd_…}); without one only the public endpoints answer. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        /** Shares an HTTP client (its connection pool and executor) with other code. */
        public Builder http(HttpClient http) {
            this.http = http;
            return this;
        }

        /** How long one call may take before it fails; uploads of large files need a generous one. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public ModelyardClient build() {
            HttpClient client = http != null ? http
                    : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            return new ModelyardClient(new Transport(client, base, token, tenant, timeout));
        }
    }
}
