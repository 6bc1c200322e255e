package dev.modelyard.server.gitsync;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.TenantDirectory;
import dev.modelyard.server.tenant.Tenants;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * The push webhook of git hosts: a signed request starts a sync of the source at once. It carries no
 * API token (a git host has none): the body's HMAC-SHA256 with the source's webhook secret, in
 * GitHub's {@code X-Hub-Signature-256: sha256=<hex>} (Gitea and GitLab-compatible setups send the
 * same), is the credential. An unknown tenant or source, a source without a secret, and a wrong or
 * missing signature get one and the same answer, so the endpoint tells nobody which sources exist.
 * It lives outside {@code /api/v1}: nothing else there is open, and it changes nothing itself
 * (the pass it starts is audited as the sync).
 */
@Path(WebhookResource.PATH + "/{tenant}/{name}")
@Tag(name = ApiDocumentation.GITOPS)
public class WebhookResource {

    static final String PATH = "/hooks/git";
    static final String SIGNATURE = "X-Hub-Signature-256";
    /** Push events are a few KiB; GitHub caps payloads at 25 MB, but nothing in one matters here beyond its signature. */
    static final int MAX_BODY = 1 << 20;
    private static final Logger LOG = Logger.getLogger(WebhookResource.class);
    /** Verified against when there is no secret, so a refusal takes the same work whatever its reason. */
    private static final byte[] NO_SECRET = "no secret: this signature never matches".getBytes(StandardCharsets.UTF_8);

    private final TenantDirectory directory;
    private final TenantContext tenants;
    private final GitSources sources;
    private final GitSync sync;
    private final SecretRefs secrets;

    public WebhookResource(TenantDirectory directory, TenantContext tenants, GitSources sources, GitSync sync, SecretRefs secrets) {
        this.secrets = secrets;
        this.directory = directory;
        this.tenants = tenants;
        this.sources = sources;
        this.sync = sync;
    }

    @POST
    @PermitAll
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Git host webhook: sync a source now",
            description = "No API token: the request is signed. `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the raw "
                    + "body with the source's webhook secret (`webhookSecretRef`). Any event starts a pass, which fetches the "
                    + "source's branch; the answer comes before the pass ends.")
    @APIResponse(responseCode = "202", description = "Accepted: a sync of the source is under way")
    @APIResponse(responseCode = "401", description = "Unknown tenant or source, no webhook secret, or a missing or wrong signature "
            + "(one answer for all: unauthorized)")
    @APIResponse(responseCode = "413", description = "The body is larger than 1 MiB (body-too-large)")
    public Response push(@PathParam("tenant") String tenant, @PathParam("name") String name,
                         @Parameter(description = "sha256=<hex HMAC-SHA256 of the body>") @HeaderParam(SIGNATURE) String signature,
                         InputStream body) throws IOException {
        byte[] bytes = read(body);
        Optional<Secret> secret = secretOf(tenant, name);
        boolean valid = verify(secret.map(Secret::value).orElse(NO_SECRET), bytes, signature);
        if (secret.isEmpty() || !valid) {
            throw DomainException.of(ErrorCode.UNAUTHORIZED, "unknown git source or wrong signature");
        }
        tenants.runAs(tenant, () -> sources.requestSync(name));
        sync.request(tenant, name);
        return Response.accepted(Map.of("accepted", true)).type(MediaType.APPLICATION_JSON).build();
    }

    private record Secret(byte[] value) {
    }

    /** The source's webhook secret, if the tenant is enabled, the source exists, has one, and it resolves. */
    private Optional<Secret> secretOf(String tenant, String name) {
        if (!Tenants.isValidId(tenant) || directory.find(tenant).filter(TenantDirectory.Entry::enabled).isEmpty()) return Optional.empty();
        Optional<String> ref = tenants.callAs(tenant, () -> QuarkusTransaction.requiringNew().call(() ->
                GitSource.named(name).map(s -> s.webhookSecretRef)));
        if (ref.isEmpty()) return Optional.empty();
        try {
            return Optional.of(new Secret(secrets.resolve("webhookSecretRef", ref.get()).getBytes(StandardCharsets.UTF_8)));
        } catch (SyncFailure e) {
            // The operator's problem, not the caller's: the caller learns only that it was refused.
            LOG.warnf("webhook of git source %s/%s refused: %s", tenant, name, e.getMessage());
            return Optional.empty();
        }
    }

    /** Constant-time comparison of the expected HMAC with the one sent. */
    static boolean verify(byte[] secret, byte[] body, String signature) {
        byte[] expected = hmac(secret, body);
        byte[] sent = parse(signature);
        return MessageDigest.isEqual(expected, sent == null ? new byte[expected.length + 1] : sent);
    }

    static byte[] hmac(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] parse(String signature) {
        if (signature == null || !signature.startsWith("sha256=") || signature.length() != "sha256=".length() + 64) return null;
        try {
            return HexFormat.of().parseHex(signature.substring("sha256=".length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] read(InputStream body) throws IOException {
        if (body == null) return new byte[0];
        byte[] bytes = body.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw DomainException.of(ErrorCode.BODY_TOO_LARGE, "a webhook body is at most " + MAX_BODY + " bytes");
        }
        return bytes;
    }
}
