package dev.modelyard.server.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.error.UnknownNameException;
import dev.modelyard.wire.IoSignature;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.PersistenceException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.hibernate.exception.ConstraintViolationException;

/** The rules of the descriptive fields of models and versions, shared by creation and merge patches. */
final class ModelFields {

    static final int MAX_TEXT = 4096;
    private static final Pattern LABEL_KEY = Pattern.compile("[a-z0-9][a-z0-9._/-]{0,62}");
    private static final int MAX_LABELS = 64;

    private ModelFields() {
    }

    static String text(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": longer than " + max + " characters");
        }
        return value;
    }

    static Map<String, String> labels(Map<String, String> labels) {
        if (labels == null) return new TreeMap<>();
        if (labels.size() > MAX_LABELS) throw DomainException.field(ErrorCode.INVALID_FIELD, "labels", "labels: at most " + MAX_LABELS + " labels");
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!LABEL_KEY.matcher(e.getKey()).matches()) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, "labels", "labels: key '" + e.getKey()
                        + "' must be lower-case letters, digits, '.', '_', '/', '-' (at most 63)");
            }
            if (e.getValue() == null || e.getValue().length() > 256) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, "labels", "labels: value of '" + e.getKey() + "' must be a string of at most 256 characters");
            }
        }
        return new TreeMap<>(labels);
    }

    static Map<String, String> mergeLabels(Map<String, String> current, JsonNode patch) {
        if (patch.isNull()) return new TreeMap<>();
        if (!patch.isObject()) throw DomainException.field(ErrorCode.INVALID_FIELD_TYPE, "labels", "labels: must be an object");
        Map<String, String> merged = new LinkedHashMap<>(current);
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) merged.remove(e.getKey());
            else if (e.getValue().isTextual()) merged.put(e.getKey(), e.getValue().asText());
            else throw DomainException.field(ErrorCode.INVALID_FIELD_TYPE, "labels", "labels: value of '" + e.getKey() + "' must be a string or null");
        });
        return merged;
    }

    static Map<String, Double> metrics(Map<?, ?> metrics) {
        Map<String, Double> out = new TreeMap<>();
        metrics.forEach((k, v) -> {
            if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, "metrics", "metrics: value of '" + k + "' must be a finite number");
            }
            out.put(String.valueOf(k), n.doubleValue());
        });
        return out;
    }

    static IoSignature ioSignature(IoSignature s) {
        if (s == null) return null;
        try {
            s.validate();
            return s;
        } catch (IllegalArgumentException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "ioSignature", e.getMessage());
        }
    }

    static ObjectNode object(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw DomainException.of(ErrorCode.INVALID_FIELD_TYPE, "request body must be a JSON object (a JSON merge patch)");
        }
        return (ObjectNode) patch;
    }

    static String textOrNull(String field, JsonNode v) {
        if (v.isNull()) return null;
        if (!v.isTextual()) throw DomainException.field(ErrorCode.INVALID_FIELD_TYPE, field, field + ": must be a string or null");
        return v.asText();
    }

    /** Binds a patched value as strictly as a request body is bound: unknown fields are named, with their path. */
    @SuppressWarnings("unchecked")
    static <T> T convert(ObjectMapper json, String field, JsonNode value, Class<?> type) {
        try {
            return (T) json.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(value);
        } catch (UnrecognizedPropertyException e) {
            throw UnknownNameException.field(field, e);
        } catch (Exception e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": " + e.getMessage().split("\n")[0]);
        }
    }

    /** Persists now, so a concurrent twin that won the unique constraint is a conflict, not a failure at commit. */
    static void persistUnique(PanacheEntityBase entity, String conflictMessage) {
        try {
            entity.persistAndFlush();
        } catch (PersistenceException e) {
            if (e instanceof ConstraintViolationException || e.getCause() instanceof ConstraintViolationException) {
                throw DomainException.of(ErrorCode.ALREADY_EXISTS, conflictMessage);
            }
            throw e;
        }
    }
}
