package dev.modelyard.server.live;

import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.auth.TokenIdentityProvider;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiDocumentation;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The live event stream: hints that something changed, for clients that show it (the console). */
@Path("/api/v1/events")
@Tag(name = ApiDocumentation.LIVE)
public class LiveResource {

    private final LiveHub hub;
    private final SecurityIdentity identity;

    public LiveResource(LiveHub hub, SecurityIdentity identity) {
        this.hub = hub;
        this.identity = identity;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @PermissionsAllowed({Permission.DEVICES_READ, Permission.ROLLOUTS_READ, Permission.ARTIFACTS_READ, Permission.MODELS_READ})
    @Operation(summary = "Live events (server-sent events) of the caller's tenant",
            description = """
                    A text/event-stream of hints that something changed; each `data:` line is one JSON object \
                    `{topic, id, …}`: `device` (id = controller id), `action` (id, device, model, version, status), \
                    `rollout` (id, state; `deleted: true` when deleted), `job` (id, status, model, version), `version` (model, version), \
                    `artifact` (model, version, id), `model` (id = name). An event `{topic, many: true}` stands for more \
                    changes of that topic than are sent one by one. Re-read what you show: an event carries no state. \
                    A token hears the topics it may read (device and action: devices:read; rollout: rollouts:read; \
                    job and artifact: artifacts:read; version and model: models:read; a scoped token only its models'). \
                    Changes of the same topic and id within a quarter of a second are sent once. A comment line comes \
                    every 15 s. The stream ends when the token is revoked or expires or the tenant is disabled, when its role or scope \
                    no longer lets it read any topic it hears (a lost topic stops arriving), when \
                    the client reads too slowly, or when the server may have missed events: reconnect and re-read. \
                    Send `Accept: text/event-stream`.""")
    @APIResponse(responseCode = "200", description = "The stream; it stays open",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(implementation = String.class)))
    @APIResponse(responseCode = "403", description = "The token may read none of the topics asked for",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "406", description = "The request does not accept text/event-stream",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    @APIResponse(responseCode = "429", description = "The token, its tenant or the server holds as many open streams as it may; "
            + "try again after Retry-After", content = @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem")))
    public void events(@QueryParam("topics") @Parameter(description = "Comma-separated topics to hear (default: every topic the token may read)")
                       String topics,
                       @Context HttpHeaders headers, @Context SseEventSink sink, @Context Sse sse) {
        Set<LiveTopic> wanted = parse(topics);
        if (headers.getAcceptableMediaTypes().stream().noneMatch(t -> t.getType().equals("text") && t.getSubtype().equals("event-stream"))) {
            throw ApiException.of(ErrorCode.NOT_ACCEPTABLE, "this is a server-sent event stream: send Accept: text/event-stream");
        }
        String scope = identity.getAttribute(TokenIdentityProvider.SCOPE_ATTRIBUTE) instanceof String s ? s : null;
        Set<LiveTopic> allowed = LiveTopic.allowed(wanted, p -> Permission.held(identity, p), scope);
        if (allowed.isEmpty()) {
            throw ApiException.of(ErrorCode.FORBIDDEN, "this token may read none of the topics asked for ("
                    + String.join(", ", wanted.stream().map(LiveTopic::wireName).toList()) + "): ask for topics it may read"
                    + (scope != null ? " (a token scoped to models hears only job, artifact, version and model)" : ""));
        }
        String tenant = (String) identity.getAttribute(TenantContext.ATTRIBUTE);
        UUID token = (UUID) identity.getAttribute(TokenIdentityProvider.TOKEN_ID_ATTRIBUTE);
        hub.open(tenant, token, wanted, allowed, scope, sink, sse);
    }

    private static Set<LiveTopic> parse(String topics) {
        if (topics == null) return EnumSet.allOf(LiveTopic.class);
        Set<LiveTopic> out = EnumSet.noneOf(LiveTopic.class);
        List<String> unknown = new ArrayList<>();
        for (String name : topics.split(",", -1)) {
            LiveTopic.parse(name.strip()).ifPresentOrElse(out::add, () -> unknown.add(name.strip()));
        }
        if (!unknown.isEmpty()) {
            throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, "topics", "topics: unknown topic(s) " + unknown
                    + "; accepted: " + String.join(", ", LiveTopic.wireNames()), LiveTopic.wireNames());
        }
        return out;
    }
}
