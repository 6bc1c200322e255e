package dev.modelyard.manifests;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One valid manifest document: its kind and name, and its tree with where each node was written,
 * so that later checks (a server's: an alias naming a version that does not exist, a device
 * filter that does not compile) can still name file, line and column.
 */
public record Manifest(String file, Kind kind, String name, Map<String, String> labels, Map<String, String> annotations,
                       JsonNode document, SourceMap sources) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** The document's {@code spec} (an empty object when it has none). */
    public ObjectNode spec() {
        JsonNode spec = document.get("spec");
        return spec instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    }

    /** The spec as the kind's typed record; the kind must be {@code type}'s. */
    public <T> T spec(Class<T> type) {
        return JSON.convertValue(spec(), type);
    }

    public Specs.ModelSpec model() {
        return spec(Specs.ModelSpec.class);
    }

    public Specs.TargetProfileSpec targetProfile() {
        return spec(Specs.TargetProfileSpec.class);
    }

    public Specs.DeviceGroupSpec deviceGroup() {
        return spec(Specs.DeviceGroupSpec.class);
    }

    public Specs.RolloutSpec rollout() {
        return spec(Specs.RolloutSpec.class);
    }

    /** "Model kws-small", as plans and errors name it. */
    public String title() {
        return kind.wireName() + " " + name;
    }

    /** An error about the value at JSON {@code pointer} (e.g. {@code /spec/aliases/stable}), placed where the value was written. */
    public ManifestError errorAt(String pointer, String message) {
        return ManifestError.at(file, sources.value(pointer), Paths.dotted(pointer), message);
    }

    /** An error about the character {@code offset} inside the text value at {@code pointer} (a device filter). */
    public ManifestError errorInside(String pointer, int offset, String message) {
        return ManifestError.at(file, sources.insideScalar(pointer, offset), Paths.dotted(pointer), message);
    }

    static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node != null) node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
