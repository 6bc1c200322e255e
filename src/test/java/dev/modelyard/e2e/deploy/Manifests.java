package dev.modelyard.e2e.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reading rendered Kubernetes objects (as JSON trees): names, labels, pod templates, containers. */
final class Manifests {

    static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet", "Job");

    private Manifests() {
    }

    static String describe(JsonNode object) {
        return object.path("kind").asText("?") + "/" + object.path("metadata").path("name").asText("?");
    }

    static String kind(JsonNode object) {
        return object.path("kind").asText();
    }

    static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(kind(o))).toList();
    }

    static Optional<JsonNode> find(List<JsonNode> objects, String kind, String name) {
        return objects.stream().filter(o -> kind.equals(kind(o)) && name.equals(name(o))).findFirst();
    }

    static List<JsonNode> workloads(List<JsonNode> objects) {
        return objects.stream().filter(o -> WORKLOADS.contains(kind(o))).toList();
    }

    static JsonNode podTemplate(JsonNode workload) {
        return workload.path("spec").path("template");
    }

    static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new HashMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    static Map<String, String> templateLabels(JsonNode workload) {
        return strings(podTemplate(workload).path("metadata").path("labels"));
    }

    /** A label selector (matchLabels only, as the manifests use) and the labels it must find. */
    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    static List<JsonNode> containers(JsonNode workload) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode spec = podTemplate(workload).path("spec");
        spec.path("initContainers").forEach(out::add);
        spec.path("containers").forEach(out::add);
        return out;
    }

    /** Whether {@code port} (a number or a port name) is a port one of {@code containers} declares. */
    static boolean declares(List<JsonNode> containers, JsonNode port) {
        for (JsonNode c : containers) {
            for (JsonNode p : c.path("ports")) {
                if (port.isInt() && p.path("containerPort").asInt() == port.asInt()) return true;
                if (port.isTextual() && port.asText().equals(p.path("name").asText())) return true;
            }
        }
        return false;
    }

    /** The pod templates a selector finds among the workloads. */
    static List<JsonNode> selected(List<JsonNode> objects, Map<String, String> selector) {
        return workloads(objects).stream().filter(w -> selects(selector, templateLabels(w))).toList();
    }
}
