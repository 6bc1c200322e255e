package dev.modelyard.e2e.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The checks of KubernetesManifestsTest find what they are for: each case breaks one thing in a
 * small, otherwise valid set of objects and expects exactly that to be reported.
 */
class ManifestChecksTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static KubernetesSchemas schemas;

    private static final String APP = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: app}
            spec:
              replicas: 2
              selector: {matchLabels: {app: a}}
              template:
                metadata: {labels: {app: a}}
                spec:
                  containers:
                    - name: c
                      image: example/app:1.0
                      ports: [{name: http, containerPort: 8080}]
                      readinessProbe: {httpGet: {path: /ready, port: http}}
                      resources: {requests: {cpu: 100m}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: app}
            spec:
              selector: {app: a}
              ports: [{name: http, port: 80, targetPort: http}]
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: app}
            spec:
              minAvailable: 1
              selector: {matchLabels: {app: a}}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: app}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
              minReplicas: 2
              maxReplicas: 4
              metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: app}
            spec:
              podSelector: {matchLabels: {app: a}}
              ingress: [{ports: [{protocol: TCP, port: 8080}]}]
            """;

    @BeforeAll
    static void load() throws IOException {
        schemas = KubernetesSchemas.load(Repository.root().resolve("k8s/schemas"));
    }

    @Test
    void theValidSetPasses() throws IOException {
        List<JsonNode> objects = objects(APP);
        assertEquals(List.of(), ManifestChecks.of(objects).problems());
        objects.forEach(o -> assertEquals(List.of(), schemas.validate(o)));
    }

    @Test
    void aMisspeltFieldOfABuiltInKindIsRefused() throws IOException {
        JsonNode deployment = objects(APP).get(0);
        ((ObjectNode) deployment.path("spec")).put("replica", 3);
        assertReports(schemas.validate(deployment), "Deployment/app: Unrecognized field \"replica\"");
        JsonNode service = objects(APP).get(1);
        ((ObjectNode) service.path("spec").path("ports").get(0)).put("port", "eighty");
        assertReports(schemas.validate(service), "Service/app: ");
    }

    @Test
    void customResourcesAreCheckedAgainstTheirSchemas() throws IOException {
        JsonNode cluster = YAML.readTree("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: db}
                spec: {instance: 3, storage: {size: 1Gi}}
                """);
        assertReports(schemas.validate(cluster), "instance");
        JsonNode application = YAML.readTree("""
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata: {name: app, namespace: argocd}
                spec: {project: default, source: {repoURL: 'https://example.com/r.git', path: k8s}}
                """);
        assertReports(schemas.validate(application), "destination");
        JsonNode unknown = YAML.readTree("{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}}");
        assertReports(schemas.validate(unknown), "no schema for example.com/v1/Widget");
    }

    @Test
    void aServiceThatSelectsNoPodsIsReported() throws IOException {
        assertBroken(o -> o.get(1).with("spec").with("selector").put("app", "b"), "Service/app: selector {app=b} finds no pods");
    }

    @Test
    void aProbeOnAPortTheContainerDoesNotDeclareIsReported() throws IOException {
        assertBroken(o -> container(o).with("readinessProbe").with("httpGet").put("port", "admin"),
                "readinessProbe checks port \"admin\", which the container does not declare");
    }

    @Test
    void aContainerWithoutAFixedImageTagIsReported() throws IOException {
        assertBroken(o -> container(o).put("image", "example/app"), "has no fixed tag");
    }

    @Test
    void aDisruptionBudgetThatForbidsEveryEvictionIsReported() throws IOException {
        assertBroken(o -> o.get(2).with("spec").put("minAvailable", 2), "minAvailable 2 leaves no pod");
    }

    @Test
    void autoscalingOnUtilizationWithoutRequestsIsReported() throws IOException {
        assertBroken(o -> container(o).with("resources").remove("requests"), "requests no cpu");
    }

    @Test
    void aNetworkPolicyForPodsThatDoNotExistIsReported() throws IOException {
        assertBroken(o -> o.get(4).with("spec").with("podSelector").with("matchLabels").put("app", "b"), "podSelector {app=b} finds no pods");
    }

    @Test
    void aCommittedSecretIsReported() throws IOException {
        List<JsonNode> objects = new ArrayList<>(objects(APP));
        objects.add(YAML.readTree("{apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {password: x}}"));
        assertReports(ManifestChecks.of(objects).problems(), "Secret/s: a Secret in the manifests commits its values");
    }

    private static ObjectNode container(List<ObjectNode> objects) {
        return (ObjectNode) objects.get(0).path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static void assertBroken(Consumer<List<ObjectNode>> breakIt, String expected) throws IOException {
        List<ObjectNode> objects = new ArrayList<>();
        objects(APP).forEach(o -> objects.add((ObjectNode) o));
        breakIt.accept(objects);
        assertReports(ManifestChecks.of(new ArrayList<>(objects)).problems(), expected);
    }

    private static void assertReports(List<String> problems, String expected) {
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), "expected a problem with '" + expected + "', got " + problems);
    }

    private static List<JsonNode> objects(String yaml) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var it = YAML.readValues(YAML.getFactory().createParser(yaml), JsonNode.class)) {
            while (it.hasNext()) out.add(it.next());
        }
        return out;
    }
}
