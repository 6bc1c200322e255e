package dev.modelyard.e2e.deploy;

import static dev.modelyard.e2e.deploy.Manifests.containers;
import static dev.modelyard.e2e.deploy.Manifests.describe;
import static dev.modelyard.e2e.deploy.Manifests.find;
import static dev.modelyard.e2e.deploy.Manifests.ofKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kustomization under k8s/ renders with {@code kubectl kustomize}, every object it renders
 * is valid for its kind, the objects of each fit together, every file there is used, and the
 * registry is given only settings it reads. Nothing is skipped: without kubectl the test fails.
 */
class KubernetesManifestsTest {

    /** The health endpoints of the server (SmallRye Health under Quarkus' /q root). */
    private static final Set<String> HEALTH = Set.of("/q/health/started", "/q/health/live", "/q/health/ready");
    private static final String REGISTRY_IMAGE = "ghcr.io/modelyard/registry-server";
    /** Secrets an operator creates (CloudNativePG: <cluster>-app) or a certificate manager fills; documented, not created by hand. */
    private static final Set<String> MADE_BY_OPERATORS = Set.of("modelyard-db-app", "modelyard-tls");

    private static Path repository;
    private static Path k8s;
    private static final Map<String, List<JsonNode>> RENDERED = new LinkedHashMap<>();

    @BeforeAll
    static void render() throws Exception {
        repository = Repository.root();
        k8s = repository.resolve("k8s");
        for (Path file : Kustomizations.files(k8s)) {
            if (Kustomizations.isRoot(file)) {
                Path dir = file.getParent();
                RENDERED.put(k8s.relativize(dir).toString(), Kustomizations.render(dir));
            }
        }
    }

    @Test
    void theBaseTheOverlaysAndTheGitOpsFolderEachRender() {
        assertEquals(Set.of("base", "overlays/dev", "overlays/prod", "argocd", "flux"), RENDERED.keySet());
        RENDERED.forEach((dir, objects) -> assertTrue(objects.size() > 0, dir + " renders nothing"));
    }

    @Test
    void everyRenderedObjectIsValidForItsKind() throws IOException {
        KubernetesSchemas schemas = KubernetesSchemas.load(k8s.resolve("schemas"));
        List<String> problems = new ArrayList<>();
        RENDERED.forEach((dir, objects) -> objects.forEach(o -> schemas.validate(o).forEach(p -> problems.add(dir + ": " + p))));
        assertEquals(List.of(), problems);
        // A schema no object uses checks nothing: it is a leftover (or an object went missing).
        assertEquals(schemas.customKinds(), schemas.usedCustomKinds());
    }

    @Test
    void theObjectsOfEachKustomizationFitTogether() {
        List<String> problems = new ArrayList<>();
        RENDERED.forEach((dir, objects) -> ManifestChecks.of(objects).problems().forEach(p -> problems.add(dir + ": " + p)));
        assertEquals(List.of(), problems);
    }

    @Test
    void everyFileUnderK8sIsUsed() throws IOException {
        List<String> problems = new ArrayList<>();
        Set<Path> used = new TreeSet<>();
        for (Path file : Kustomizations.files(k8s)) {
            if (Kustomizations.isRoot(file)) used.addAll(Kustomizations.uses(file, problems));
        }
        Set<Path> unused = new TreeSet<>();
        try (Stream<Path> files = Files.walk(k8s)) {
            files.filter(Files::isRegularFile).map(f -> f.toAbsolutePath().normalize()).forEach(f -> {
                boolean schema = f.getParent().equals(k8s.resolve("schemas").toAbsolutePath().normalize());
                if (!used.contains(f) && !schema && !f.equals(k8s.resolve("README.md").toAbsolutePath().normalize())) unused.add(f);
            });
        }
        assertEquals(List.of(), problems);
        assertEquals(Set.of(), unused, "files under k8s/ that no kustomization uses");
    }

    @Test
    void secretsAreReferencedNeverCommittedAndTheReadmeSaysHowToCreateThem() throws IOException {
        String readme = Files.readString(k8s.resolve("README.md"));
        List<String> problems = new ArrayList<>();
        Set<String> all = new TreeSet<>();
        RENDERED.forEach((dir, objects) -> all.addAll(ManifestChecks.of(objects).secretsReferenced()));
        for (String secret : all) {
            boolean documented = MADE_BY_OPERATORS.contains(secret) ? readme.contains(secret) : readme.contains("secret generic " + secret + " ");
            if (!documented) problems.add(secret + (MADE_BY_OPERATORS.contains(secret) ? " is not explained" : " has no `kubectl create secret generic " + secret + " …`") + " in k8s/README.md");
        }
        assertTrue(all.contains("modelyard-admin") && all.contains("modelyard-release-key"), "the registry's Secrets: " + all);
        assertEquals(List.of(), problems);
    }

    @Test
    void theRegistryIsGivenOnlySettingsItReadsAndProbedOnItsHealthEndpoints() throws IOException {
        ServerSettings settings = ServerSettings.read(repository, Repository.serverApp());
        String tag = Repository.version().replace("-SNAPSHOT", "");
        List<String> problems = new ArrayList<>();
        RENDERED.forEach((dir, objects) -> {
            for (JsonNode deployment : ofKind(objects, "Deployment")) {
                for (JsonNode c : containers(deployment)) {
                    if (!c.path("image").asText().startsWith(REGISTRY_IMAGE + ":")) continue;
                    String where = dir + ": " + describe(deployment) + ": ";
                    if (!c.path("image").asText().equals(REGISTRY_IMAGE + ":" + tag)) problems.add(where + "image " + c.path("image").asText() + ", not " + REGISTRY_IMAGE + ":" + tag);
                    for (String name : environment(objects, c)) {
                        if (!settings.reads(name)) problems.add(where + name + " is no setting the server reads");
                    }
                    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                        String path = c.path(probe).path("httpGet").path("path").asText("");
                        if (!HEALTH.contains(path)) problems.add(where + probe + " checks '" + path + "', not one of " + HEALTH);
                    }
                    if (!c.path("securityContext").path("readOnlyRootFilesystem").asBoolean()) problems.add(where + "root filesystem is writable");
                    if (!deployment.path("spec").path("template").path("spec").path("securityContext").path("runAsNonRoot").asBoolean()) problems.add(where + "may run as root");
                    if (deployment.path("spec").path("replicas").asInt(1) < 2) problems.add(where + "fewer than 2 replicas");
                }
            }
        });
        assertTrue(RENDERED.get("overlays/prod").stream().anyMatch(o -> o.toString().contains(REGISTRY_IMAGE)), "the registry is in the prod overlay");
        assertEquals(List.of(), problems);
    }

    @Test
    void argoCdAndFluxDeployTheProductionOverlayOfThisRepository() {
        List<JsonNode> argo = RENDERED.get("argocd");
        List<JsonNode> flux = RENDERED.get("flux");
        JsonNode application = find(argo, "Application", "modelyard").orElseThrow();
        JsonNode source = find(flux, "GitRepository", "modelyard").orElseThrow();
        JsonNode kustomization = find(flux, "Kustomization", "modelyard").orElseThrow();
        assertEquals("k8s/overlays/prod", application.path("spec").path("source").path("path").asText());
        assertEquals("./k8s/overlays/prod", kustomization.path("spec").path("path").asText());
        assertTrue(Files.isRegularFile(repository.resolve("k8s/overlays/prod").resolve(Kustomizations.FILE)));
        assertEquals(application.path("spec").path("source").path("repoURL").asText(), source.path("spec").path("url").asText(),
                "Argo CD and Flux follow the same repository");
        assertEquals("GitRepository", kustomization.path("spec").path("sourceRef").path("kind").asText());
        assertEquals(source.path("metadata").path("name").asText(), kustomization.path("spec").path("sourceRef").path("name").asText());
        // Both deploy into the namespace the overlay is written for.
        String namespace = RENDERED.get("overlays/prod").get(0).path("metadata").path("namespace").asText();
        assertEquals(namespace, application.path("spec").path("destination").path("namespace").asText());
        assertEquals(namespace, kustomization.path("spec").path("targetNamespace").asText());
    }

    /** The variables a container gets: its env entries and the keys of the ConfigMaps it takes whole. */
    private static List<String> environment(List<JsonNode> objects, JsonNode container) {
        List<String> names = new ArrayList<>();
        container.path("env").forEach(e -> names.add(e.path("name").asText()));
        container.path("envFrom").forEach(e -> find(objects, "ConfigMap", e.path("configMapRef").path("name").asText())
                .ifPresent(map -> map.path("data").fieldNames().forEachRemaining(names::add)));
        return names;
    }
}
