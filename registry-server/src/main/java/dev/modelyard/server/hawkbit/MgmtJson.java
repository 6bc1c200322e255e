package dev.modelyard.server.hawkbit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads hawkBit request bodies leniently, as hawkBit does: fields Modelyard does not use (a
 * target's {@code targetType}, a module's {@code vendor} …) are ignored, so scripts written for
 * hawkBit run unchanged. That is why this API binds bodies as text and not through the strict
 * binding of {@code /api/v1}.
 */
@ApplicationScoped
public class MgmtJson {

    /** The OpenAPI tag of every operation of this API. */
    public static final String TAG = dev.modelyard.server.http.ApiDocumentation.HAWKBIT_MGMT;

    private final ObjectMapper mapper;

    public MgmtJson(ObjectMapper mapper) {
        this.mapper = mapper.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    <T> List<T> list(String body, Class<T> type) {
        JsonNode tree = tree(body);
        if (!tree.isArray()) throw DomainException.of(ErrorCode.INVALID_FIELD_TYPE, "request body: must be a JSON array");
        return elements(tree, type);
    }

    <T> List<T> oneOrList(String body, Class<T> type) {
        JsonNode tree = tree(body);
        return tree.isArray() ? elements(tree, type) : List.of(convert(tree, type));
    }

    <T> T one(String body, Class<T> type) {
        JsonNode tree = tree(body);
        if (!tree.isObject()) throw DomainException.of(ErrorCode.INVALID_FIELD_TYPE, "request body: must be a JSON object");
        return convert(tree, type);
    }

    private <T> List<T> elements(JsonNode array, Class<T> type) {
        List<T> out = new ArrayList<>();
        array.forEach(e -> out.add(convert(e, type)));
        return out;
    }

    private JsonNode tree(String body) {
        if (body == null || body.isBlank()) throw DomainException.of(ErrorCode.MISSING_BODY, "request body: is required");
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw DomainException.of(ErrorCode.INVALID_JSON, "request body: not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Every element hawkBit takes is a JSON object; {@code null} or a scalar in its place is a bad request, not a null record. */
    private <T> T convert(JsonNode node, Class<T> type) {
        if (!node.isObject()) {
            throw DomainException.of(ErrorCode.INVALID_FIELD_TYPE, "request body: expected a JSON object, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw DomainException.of(ErrorCode.INVALID_FIELD_TYPE, "request body: " + e.getMessage().lines().findFirst().orElse("not readable"));
        }
    }

    static String caller(SecurityIdentity identity) {
        return identity.getPrincipal().getName();
    }

    /** Schemas of the paged answers, for the OpenAPI document (generic records have none of their own). */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "MgmtTargetPage")
    public record TargetPage(List<MgmtApi.Target> content, long total, int size) {
    }

    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "MgmtActionPage")
    public record ActionPage(List<MgmtApi.Action> content, long total, int size) {
    }

    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "MgmtStatusPage")
    public record StatusPage(List<MgmtApi.ActionStatus> content, long total, int size) {
    }

    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "MgmtModulePage")
    public record ModulePage(List<MgmtApi.SoftwareModule> content, long total, int size) {
    }

    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "MgmtFilterPage")
    public record FilterPage(List<MgmtApi.TargetFilter> content, long total, int size) {
    }

    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "MgmtSetPage")
    public record SetPage(List<MgmtApi.DistributionSet> content, long total, int size) {
    }
}
