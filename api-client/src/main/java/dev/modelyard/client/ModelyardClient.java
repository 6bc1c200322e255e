package dev.modelyard.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * A client of the registry's management API ({@code /api/v1}). One instance per server and
 * credential; it is thread-safe and cheap to share. Each area of the API has a small facade:
 *
 * <pre>{@code
 * ModelyardClient client = ModelyardClient.connect(URI.create("http://registry:8080"), token);
 * client.models().create(Models.NewModel.named("kws"));
 * client.versions().create("kws", Versions.NewVersion.of("1.0.0"));
 * client.artifacts().put("kws", "1.0.0", "kws.onnx", Path.of("kws.onnx"), Artifacts.Target.of("onnx"));
 * client.versions().publish("kws", "1.0.0");
 * }</pre>
 *
 * A refusal arrives as {@link ApiProblemException} with the stable error code; a failed
 * connection as {@link java.io.UncheckedIOException}.
 */
public final class ModelyardClient {

    /** The header naming the tenant a call is meant for, sent only when a tenant was chosen. */
    public static final String TENANT_HEADER = "Modelyard-Tenant";
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private final Transport transport;
    private final Models models;
    private final Versions versions;
    private final Artifacts artifacts;
    private final Devices devices;
    private final Deployments deployments;
    private final Tokens tokens;
    private final Profiles profiles;
    private final Conversions conversions;
    private final Keys keys;
    private final Trust trust;

    private ModelyardClient(Transport transport) {
        this.transport = transport;
        this.models = new Models(transport);
        this.versions = new Versions(transport);
        this.artifacts = new Artifacts(transport);
        this.devices = new Devices(transport);
        this.deployments = new Deployments(transport);
        this.tokens = new Tokens(transport);
        this.profiles = new Profiles(transport);
        this.conversions = new Conversions(transport);
        this.keys = new Keys(transport);
        this.trust = new Trust(transport);
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
        return models;
    }

    public Versions versions() {
        return versions;
    }

    public Artifacts artifacts() {
        return artifacts;
    }

    public Devices devices() {
        return devices;
    }

    public Deployments deployments() {
        return deployments;
    }

    public Tokens tokens() {
        return tokens;
    }

    public Profiles profiles() {
        return profiles;
    }

    public Conversions conversions() {
        return conversions;
    }

    public Keys keys() {
        return keys;
    }

    public Trust trust() {
        return trust;
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
