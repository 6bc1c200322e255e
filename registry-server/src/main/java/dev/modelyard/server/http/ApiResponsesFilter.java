package dev.modelyard.server.http;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;

/**
 * Completes the OpenAPI document with what operations share, so that resource methods annotate
 * only the statuses that are their own (201, 409, 422, …). Runs at build time, so the stored
 * document has it too.
 * <ul>
 *   <li>security: the API token on every {@code @PermissionsAllowed} or {@code @Authenticated} operation, none on
 *       {@code @PermitAll} ones, the device token on the DDI API (its resource declares that itself);</li>
 *   <li>the permission an operation needs, as the extension {@value #PERMISSION_EXTENSION} and in its
 *       description;</li>
 *   <li>401 on every operation that needs an API token, 403 on every one that needs a permission (a custom
 *       role may lack any of them); an {@code @Authenticated} operation takes any valid token
 *       ({@value #AUTHENTICATED_EXTENSION}: true) and has no 403;</li>
 *   <li>400 where there are query parameters or a body, 404 where the path names something,
 *       415 where a body of a given media type is read;</li>
 *   <li>503 with {@code Retry-After} on every operation: each needs the database, if only for the
 *       token (problem+json on the management API, an empty body on the DDI API);</li>
 *   <li>429 everywhere (rate limits), 408 and 413 where there is a body (the limits package);</li>
 *   <li>the {@code application/problem+json} body ({@link Problem}) of every management API error
 *       that has none (DDI errors keep hawkBit's bodies, as their resource declares them).</li>
 * </ul>
 * An operation's own annotation for a status always wins over the shared one.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ApiResponsesFilter implements OASFilter {

    /** The OpenAPI extension naming the permission an operation needs ({@code "models:read"}). */
    public static final String PERMISSION_EXTENSION = "x-modelyard-permission";
    /** The OpenAPI extension marking an operation any valid API token may call, whatever its role. */
    public static final String AUTHENTICATED_EXTENSION = "x-modelyard-authenticated";
    /** What {@link #scan} records for an {@code @Authenticated} operation: a token, no permission. */
    private static final Set<String> ANY_TOKEN = Set.of("(any valid API token)");

    private static final DotName PATH = DotName.createSimple("jakarta.ws.rs.Path");
    private static final DotName PERMISSIONS_ALLOWED = DotName.createSimple("io.quarkus.security.PermissionsAllowed");
    private static final DotName PERMIT_ALL = DotName.createSimple("jakarta.annotation.security.PermitAll");
    private static final DotName AUTHENTICATED = DotName.createSimple("io.quarkus.security.Authenticated");
    private static final List<String> VERBS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";
    private static final String MGMT_ERROR_SCHEMA = "#/components/schemas/" + ApiDocumentation.MGMT_ERROR;

    /** "GET /api/v1/models/{model}" → the permissions needed (empty: nobody), or null when anyone may call it. */
    private final Map<String, Set<String>> access;

    public ApiResponsesFilter(IndexView index) {
        this.access = scan(index);
    }

    @Override
    public void filterOpenAPI(OpenAPI api) {
        api.setSecurity(null);
        describeProblem(api.getComponents().getSchemas().get("Problem"));
        api.getPaths().getPathItems().forEach((path, item) ->
                item.getOperations().forEach((method, op) -> complete(method, path, op)));
    }

    private void complete(PathItem.HttpMethod method, String path, Operation op) {
        String key = method.name() + " " + path;
        if (!access.containsKey(key)) {
            throw new IllegalStateException("OpenAPI operation " + key + " has no resource method in the index");
        }
        requireSuccess(key, op.getResponses());
        if (isDeviceOperation(op)) {
            shared(op.getResponses(), "401", ApiDocumentation.DEVICE_UNAUTHORIZED);
            shared(op.getResponses(), "503", ApiDocumentation.DEVICE_UNAVAILABLE);
            shared(op.getResponses(), "429", ApiDocumentation.DEVICE_TOO_MANY_REQUESTS);
            // The limits answer a device's body like any other: with a problem body.
            if (op.getRequestBody() != null) {
                shared(op.getResponses(), "408", ApiDocumentation.BODY_TOO_SLOW);
                shared(op.getResponses(), "413", ApiDocumentation.BODY_TOO_LARGE);
            }
        } else if (isHawkbitManagement(path)) {
            documentPermission(key, op, access.get(key));
            completeHawkbitManagement(op, access.get(key));
        } else {
            documentPermission(key, op, access.get(key));
            completeManagement(op, access.get(key));
        }
        sortByStatus(op.getResponses());
    }

    /** SmallRye derives the 200 only for methods that annotate no response at all. */
    private static void requireSuccess(String key, APIResponses responses) {
        if (responses == null || responses.getAPIResponses().keySet().stream().noneMatch(c -> c.matches("[23]\\d\\d"))) {
            throw new IllegalStateException("OpenAPI operation " + key + " documents no success status: "
                    + "annotate it (e.g. @APIResponseSchema) next to its error statuses");
        }
    }

    /** The DDI API declares its device-token scheme and hawkBit's error bodies itself. */
    private static boolean isDeviceOperation(Operation op) {
        return op.getSecurity() != null
                && op.getSecurity().stream().anyMatch(s -> s.hasScheme(ApiDocumentation.DEVICE_TOKEN));
    }

    private static boolean isHawkbitManagement(String path) {
        return path.startsWith(ApiDocumentation.HAWKBIT_MGMT_PATH + "/");
    }

    /**
     * hawkBit's Management API: the API token as Bearer or Basic password, hawkBit's error JSON.
     * Like hawkBit it ignores query parameters it does not take, so 400 is listed only where
     * something is read (parameters or a body).
     */
    private static void completeHawkbitManagement(Operation op, Set<String> permissions) {
        APIResponses responses = op.getResponses();
        op.setSecurity(List.of(OASFactory.createSecurityRequirement().addScheme(ApiDocumentation.API_TOKEN),
                OASFactory.createSecurityRequirement().addScheme(ApiDocumentation.API_TOKEN_BASIC)));
        shared(responses, "401", ApiDocumentation.MGMT_UNAUTHORIZED);
        if (permissions != null) shared(responses, "403", ApiDocumentation.MGMT_FORBIDDEN);
        if (has(op, Parameter.In.QUERY) || has(op, Parameter.In.PATH) || op.getRequestBody() != null) {
            shared(responses, "400", ApiDocumentation.MGMT_BAD_REQUEST);
        }
        if (has(op, Parameter.In.PATH)) shared(responses, "404", ApiDocumentation.MGMT_NOT_FOUND);
        responses.addAPIResponse("503", OASFactory.createAPIResponse()
                .description("The server cannot reach its database right now; send the request again after Retry-After"));
        responses.addAPIResponse("429", OASFactory.createAPIResponse()
                .description("Over a rate limit or the upload limit; send the request again after Retry-After"));
        if (op.getRequestBody() != null) {
            if (!responses.hasAPIResponse("408")) responses.addAPIResponse("408", OASFactory.createAPIResponse()
                    .description("The body arrived slower than the server's minimum rate and was ended"));
            if (!responses.hasAPIResponse("413")) responses.addAPIResponse("413", OASFactory.createAPIResponse()
                    .description("The body is larger than the server takes"));
        }
        if (readsTypedBody(op) && !responses.hasAPIResponse("415")) {
            responses.addAPIResponse("415", OASFactory.createAPIResponse()
                    .description("The request's Content-Type is not one this operation reads"));
        }
        responses.getAPIResponses().forEach((status, response) -> {
            if (status.startsWith("4") || status.startsWith("5")) withBody(response, "application/json", MGMT_ERROR_SCHEMA);
        });
    }

    /** {@code permissions} null: the operation is open to anyone. */
    private static void completeManagement(Operation op, Set<String> permissions) {
        APIResponses responses = op.getResponses();
        if (permissions != null) {
            op.setSecurity(List.of(OASFactory.createSecurityRequirement().addScheme(ApiDocumentation.API_TOKEN)));
            shared(responses, "401", ApiDocumentation.UNAUTHORIZED);
            if (permissions != ANY_TOKEN) shared(responses, "403", ApiDocumentation.FORBIDDEN);
        }
        // Every management operation refuses query parameters it does not take (QueryParameters),
        // so even one without parameters or a body can answer 400.
        shared(responses, "400", ApiDocumentation.BAD_REQUEST);
        if (has(op, Parameter.In.PATH)) shared(responses, "404", ApiDocumentation.NOT_FOUND);
        if (readsTypedBody(op)) shared(responses, "415", ApiDocumentation.UNSUPPORTED_MEDIA_TYPE);
        // Every operation reads the database, if only to check the API token.
        shared(responses, "503", ApiDocumentation.SERVICE_UNAVAILABLE);
        // limits.RequestGate and limits.ApiRateLimit: every operation is rate limited; every body
        // must keep a minimum rate, and one that is not an upload has a size limit (uploads
        // document their own 413).
        shared(responses, "429", ApiDocumentation.TOO_MANY_REQUESTS);
        if (op.getRequestBody() != null) {
            shared(responses, "408", ApiDocumentation.BODY_TOO_SLOW);
            shared(responses, "413", ApiDocumentation.BODY_TOO_LARGE);
        }
        responses.getAPIResponses().forEach((status, response) -> {
            if (status.startsWith("4") || status.startsWith("5")) withProblemBody(response);
        });
    }

    /**
     * The permission in the document itself, so clients and the role matrix test read it from there. An
     * operation of the management API that names none is a build failure: every one needs a rule.
     */
    private static void documentPermission(String key, Operation op, Set<String> permissions) {
        if (permissions == null) return;
        if (permissions == ANY_TOKEN) {
            op.addExtension(AUTHENTICATED_EXTENSION, true);
            String sentence = "Needs a valid API token, of any role.";
            op.setDescription(op.getDescription() == null ? sentence : op.getDescription() + "\n\n" + sentence);
            return;
        }
        if (permissions.isEmpty()) {
            throw new IllegalStateException("OpenAPI operation " + key + " needs a permission: annotate it with @PermissionsAllowed, or @PermitAll if it is public");
        }
        String needed = String.join(" or ", new java.util.TreeSet<>(permissions));
        op.addExtension(PERMISSION_EXTENSION, permissions.size() == 1 ? permissions.iterator().next() : List.copyOf(new java.util.TreeSet<>(permissions)));
        String sentence = "Needs the permission " + needed + ".";
        op.setDescription(op.getDescription() == null ? sentence : op.getDescription() + "\n\n" + sentence);
    }

    /** Successes first, then errors, in the order of their codes. */
    private static void sortByStatus(APIResponses responses) {
        responses.setAPIResponses(new TreeMap<>(responses.getAPIResponses()));
    }

    private static void shared(APIResponses responses, String status, String component) {
        if (!responses.hasAPIResponse(status)) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().ref(component));
        }
    }

    private static boolean has(Operation op, Parameter.In in) {
        return op.getParameters() != null && op.getParameters().stream().anyMatch(p -> p.getIn() == in);
    }

    /** A body read as a declared media type (not any type): another Content-Type gets 415. */
    private static boolean readsTypedBody(Operation op) {
        return op.getRequestBody() != null && op.getRequestBody().getContent() != null
                && !op.getRequestBody().getContent().hasMediaType("*/*");
    }

    private static void withProblemBody(APIResponse response) {
        withBody(response, Problem.MEDIA_TYPE, PROBLEM_SCHEMA);
    }

    private static void withBody(APIResponse response, String mediaType, String schema) {
        if (response.getRef() != null || response.getContent() != null) return;
        Content content = OASFactory.createContent().addMediaType(mediaType,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(schema)));
        response.setContent(content);
    }

    /** The members RFC 9457 defines; the schema's properties themselves come from the {@link Problem} record. */
    private static void describeProblem(Schema problem) {
        if (problem == null || problem.getProperties() == null) {
            throw new IllegalStateException("the Problem schema is missing from the OpenAPI components");
        }
        problem.description("An RFC 9457 problem detail: the body of every error of the management API");
        Map<String, String> rfc = Map.of(
                "type", "A URI naming the kind of problem; about:blank when the status says it all",
                "title", "A short summary of the kind of problem (the status' reason phrase)",
                "status", "The HTTP status code",
                "detail", "What went wrong with this request, in words that say what to fix",
                "instance", "A URI naming this occurrence of the problem");
        rfc.forEach((name, text) -> {
            Schema property = problem.getProperties().get(name);
            if (property != null && property.getDescription() == null) property.description(text);
        });
        problem.required(List.of("type", "title", "status", "code"));
    }

    // ---- which permission each operation needs, from the resource classes ----------------------------

    private static Map<String, Set<String>> scan(IndexView index) {
        Map<String, Set<String>> result = new HashMap<>();
        for (AnnotationInstance classPath : index.getAnnotations(PATH)) {
            if (classPath.target().kind() != AnnotationTarget.Kind.CLASS) continue;
            ClassInfo resource = classPath.target().asClass();
            for (MethodInfo m : resource.methods()) {
                String verb = verb(m);
                if (verb == null) continue;
                AnnotationInstance methodPath = m.declaredAnnotation(PATH);
                String template = template(classPath.value().asString(), methodPath == null ? "" : methodPath.value().asString());
                result.put(verb + " " + template, permissions(resource, m));
            }
        }
        return result;
    }

    private static String verb(MethodInfo m) {
        return VERBS.stream().filter(v -> m.hasDeclaredAnnotation(DotName.createSimple("jakarta.ws.rs." + v)))
                .findFirst().orElse(null);
    }

    /** The path template of a resource method, as the OpenAPI document and JAX-RS spell it. */
    public static String template(String classPath, String methodPath) {
        String joined = ("/" + classPath + "/" + methodPath).replaceAll("/+", "/");
        joined = joined.replaceAll("\\{\\s*([^}:\\s]+)\\s*(:[^}]*)?}", "{$1}");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }

    private static Set<String> permissions(ClassInfo resource, MethodInfo m) {
        if (m.hasDeclaredAnnotation(PERMIT_ALL)) return null;
        if (m.hasDeclaredAnnotation(AUTHENTICATED)) return ANY_TOKEN;
        AnnotationInstance onMethod = m.declaredAnnotation(PERMISSIONS_ALLOWED);
        if (onMethod != null) return Set.of(onMethod.value().asStringArray());
        if (resource.hasDeclaredAnnotation(PERMIT_ALL)) return null;
        AnnotationInstance onClass = resource.declaredAnnotation(PERMISSIONS_ALLOWED);
        // deny-unannotated-endpoints: a method with no annotation at all is closed to everyone
        return onClass == null ? Set.of() : Set.of(onClass.value().asStringArray());
    }
}
