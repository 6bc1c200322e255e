package dev.modelyard.e2e.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks one Kubernetes object against the schema of its kind: built-in kinds by reading it into
 * the fabric8 model with nothing tolerated (an unknown or misspelt field, a string where a number
 * belongs), custom resources against the JSON Schemas in {@code k8s/schemas/}, named
 * {@code <group>_<version>_<Kind>.json}. A kind that is in neither fails: add it here or ship its schema.
 */
final class KubernetesSchemas {

    /** The built-in kinds the manifests may use, by apiVersion/kind. */
    private static final Map<String, Class<?>> BUILT_IN = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("apps/v1/DaemonSet", DaemonSet.class),
            Map.entry("batch/v1/Job", Job.class),
            Map.entry("batch/v1/CronJob", CronJob.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class));

    private final ObjectMapper strict = strictMapper();
    private final Map<String, Schema> custom;
    private final Set<String> used = new TreeSet<>();

    private KubernetesSchemas(Map<String, Schema> custom) {
        this.custom = custom;
    }

    /** Loads every schema in {@code dir}; the ones named after a kind are the kinds' schemas, the others are shared parts. */
    static KubernetesSchemas load(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> byId = new TreeMap<>();
        Map<String, String> kindIds = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String text = Files.readString(file);
                JsonNode id = json.readTree(text).get("$id");
                if (id == null) throw new IllegalStateException(file + " has no $id");
                byId.put(id.asText(), text);
                String name = file.getFileName().toString();
                if (!name.endsWith(".meta.json")) kindIds.put(kindKey(name), id.asText());
            }
        }
        // Every reference resolves to a file of this folder; nothing is fetched.
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b.schemas(byId));
        Map<String, Schema> schemas = new TreeMap<>();
        kindIds.forEach((kind, id) -> schemas.put(kind, registry.getSchema(SchemaLocation.of(id))));
        return new KubernetesSchemas(schemas);
    }

    /** {@code postgresql.cnpg.io_v1_Cluster.json} is the schema of {@code postgresql.cnpg.io/v1/Cluster}. */
    private static String kindKey(String fileName) {
        String[] parts = fileName.replaceAll("\\.json$", "").split("_");
        if (parts.length != 3) throw new IllegalStateException(fileName + ": expected <group>_<version>_<Kind>.json");
        return parts[0] + "/" + parts[1] + "/" + parts[2];
    }

    /** What is wrong with {@code object}; empty when it is valid. */
    List<String> validate(JsonNode object) {
        String key = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        String what = Manifests.describe(object);
        List<String> problems = new ArrayList<>();
        Class<?> type = BUILT_IN.get(key);
        if (type != null) {
            try {
                strict.treeToValue(object, type);
            } catch (JsonMappingException e) {
                problems.add(what + ": " + e.getOriginalMessage().lines().findFirst().orElse("") + " at " + path(e));
            } catch (IOException e) {
                problems.add(what + ": " + e.getMessage());
            }
            return problems;
        }
        Schema schema = custom.get(key);
        if (schema == null) {
            problems.add(what + ": no schema for " + key + " (a built-in kind missing from KubernetesSchemas, or a custom"
                    + " resource without its JSON Schema in k8s/schemas/)");
            return problems;
        }
        used.add(key);
        for (Error error : schema.validate(object)) problems.add(what + ": " + error);
        return problems;
    }

    /** The custom resource kinds whose schema validated at least one object so far. */
    Set<String> usedCustomKinds() {
        return used;
    }

    Set<String> customKinds() {
        return custom.keySet();
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) sb.append('.').append(r.getFieldName());
            else if (r.getIndex() >= 0) sb.append('[').append(r.getIndex()).append(']');
        }
        return sb.isEmpty() ? "the top" : sb.substring(1);
    }

    /**
     * fabric8's model keeps unknown fields in an "additionalProperties" map (an any-setter), which
     * would accept any typo. Here any-setters are ignored, so an unknown field is an error.
     */
    private static ObjectMapper strictMapper() {
        return JsonMapper.builder()
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        return Boolean.FALSE;
                    }
                })
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
    }
}
