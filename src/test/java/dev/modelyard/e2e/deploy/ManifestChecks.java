package dev.modelyard.e2e.deploy;

import static dev.modelyard.e2e.deploy.Manifests.containers;
import static dev.modelyard.e2e.deploy.Manifests.declares;
import static dev.modelyard.e2e.deploy.Manifests.describe;
import static dev.modelyard.e2e.deploy.Manifests.find;
import static dev.modelyard.e2e.deploy.Manifests.kind;
import static dev.modelyard.e2e.deploy.Manifests.name;
import static dev.modelyard.e2e.deploy.Manifests.ofKind;
import static dev.modelyard.e2e.deploy.Manifests.podTemplate;
import static dev.modelyard.e2e.deploy.Manifests.selected;
import static dev.modelyard.e2e.deploy.Manifests.selects;
import static dev.modelyard.e2e.deploy.Manifests.strings;
import static dev.modelyard.e2e.deploy.Manifests.templateLabels;
import static dev.modelyard.e2e.deploy.Manifests.workloads;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a schema cannot see: whether the objects of one rendered kustomization fit together. Pods
 * have images and probe ports they declare; selectors find the pods they are meant for; Services,
 * Ingresses, HPAs and PDBs point at objects that exist; every ConfigMap a pod reads is there; a
 * disruption budget leaves room for a drain. Secrets are only referenced, never rendered.
 */
final class ManifestChecks {

    private final List<JsonNode> objects;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> secretsReferenced = new TreeSet<>();

    private ManifestChecks(List<JsonNode> objects) {
        this.objects = objects;
    }

    static ManifestChecks of(List<JsonNode> objects) {
        ManifestChecks checks = new ManifestChecks(objects);
        checks.run();
        return checks;
    }

    List<String> problems() {
        return problems;
    }

    /** The Secrets the objects read (they must be created beside them: k8s/README.md says how). */
    Set<String> secretsReferenced() {
        return secretsReferenced;
    }

    private void run() {
        Set<String> seen = new HashSet<>();
        for (JsonNode o : objects) {
            if (!seen.add(kind(o) + "/" + o.path("metadata").path("namespace").asText() + "/" + name(o))) {
                problem(o, "defined twice");
            }
            if ("Secret".equals(kind(o))) problem(o, "a Secret in the manifests commits its values: reference it and document how to create it");
        }
        workloads(objects).forEach(this::workload);
        ofKind(objects, "Service").forEach(this::service);
        ofKind(objects, "Ingress").forEach(this::ingress);
        ofKind(objects, "HorizontalPodAutoscaler").forEach(this::autoscaler);
        ofKind(objects, "PodDisruptionBudget").forEach(this::disruptionBudget);
        ofKind(objects, "NetworkPolicy").forEach(this::networkPolicy);
    }

    private void workload(JsonNode w) {
        JsonNode spec = w.path("spec");
        Map<String, String> selector = strings(spec.path("selector").path("matchLabels"));
        if (!"Job".equals(kind(w)) && !selects(selector, templateLabels(w))) {
            problem(w, "selector " + selector + " does not match its pod template's labels " + templateLabels(w));
        }
        JsonNode pod = podTemplate(w).path("spec");
        if ("StatefulSet".equals(kind(w)) && find(objects, "Service", spec.path("serviceName").asText()).isEmpty()) {
            problem(w, "serviceName '" + spec.path("serviceName").asText() + "' is no Service here");
        }
        String account = pod.path("serviceAccountName").asText("");
        if (!account.isEmpty() && find(objects, "ServiceAccount", account).isEmpty()) {
            problem(w, "service account '" + account + "' is not defined here");
        }
        Set<String> volumes = new HashSet<>();
        pod.path("volumes").forEach(v -> {
            volumes.add(v.path("name").asText());
            if (v.has("configMap")) configMap(w, v.path("configMap").path("name").asText(), v.path("configMap").path("items"));
            if (v.has("secret")) secretsReferenced.add(v.path("secret").path("secretName").asText());
        });
        spec.path("volumeClaimTemplates").forEach(v -> volumes.add(v.path("metadata").path("name").asText()));
        List<JsonNode> containers = containers(w);
        if (pod.path("containers").isEmpty()) problem(w, "has no containers");
        for (JsonNode c : containers) container(w, c, volumes);
    }

    private void container(JsonNode w, JsonNode c, Set<String> volumes) {
        String where = "container '" + c.path("name").asText() + "'";
        String image = c.path("image").asText("");
        if (image.isEmpty()) problem(w, where + " has no image");
        else if (!image.substring(image.lastIndexOf('/') + 1).contains(":") || image.endsWith(":latest")) {
            problem(w, where + ": image '" + image + "' has no fixed tag (a restart could run another version)");
        }
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode p = c.path(probe);
            if (p.isMissingNode()) continue;
            for (String handler : List.of("httpGet", "tcpSocket", "grpc")) {
                JsonNode port = p.path(handler).path("port");
                if (!port.isMissingNode() && !declares(List.of(c), port)) {
                    problem(w, where + ": " + probe + " checks port " + port + ", which the container does not declare");
                }
            }
            JsonNode path = p.path("httpGet").path("path");
            if (p.has("httpGet") && !path.asText("").startsWith("/")) problem(w, where + ": " + probe + " has no absolute path");
        }
        c.path("envFrom").forEach(e -> {
            if (e.has("configMapRef")) configMap(w, e.path("configMapRef").path("name").asText(), null);
            if (e.has("secretRef")) secretsReferenced.add(e.path("secretRef").path("name").asText());
        });
        Set<String> names = new HashSet<>();
        c.path("env").forEach(e -> {
            if (!names.add(e.path("name").asText())) problem(w, where + ": variable " + e.path("name").asText() + " set twice");
            JsonNode from = e.path("valueFrom");
            if (from.has("secretKeyRef")) secretsReferenced.add(from.path("secretKeyRef").path("name").asText());
            if (from.has("configMapKeyRef")) {
                String cm = from.path("configMapKeyRef").path("name").asText();
                Optional<JsonNode> map = find(objects, "ConfigMap", cm);
                if (map.isEmpty()) problem(w, where + " reads ConfigMap '" + cm + "', which is not here");
                else if (!map.get().path("data").has(from.path("configMapKeyRef").path("key").asText())) {
                    problem(w, where + " reads key '" + from.path("configMapKeyRef").path("key").asText() + "' of ConfigMap '" + cm + "', which it lacks");
                }
            }
        });
        c.path("volumeMounts").forEach(m -> {
            if (!volumes.contains(m.path("name").asText())) problem(w, where + " mounts volume '" + m.path("name").asText() + "', which is not defined");
        });
    }

    private void configMap(JsonNode w, String name, JsonNode items) {
        Optional<JsonNode> map = find(objects, "ConfigMap", name);
        if (map.isEmpty()) {
            problem(w, "reads ConfigMap '" + name + "', which is not here");
            return;
        }
        if (items == null) return;
        items.forEach(i -> {
            if (!map.get().path("data").has(i.path("key").asText())) problem(w, "reads key '" + i.path("key").asText() + "' of ConfigMap '" + name + "', which it lacks");
        });
    }

    private void service(JsonNode s) {
        Map<String, String> selector = strings(s.path("spec").path("selector"));
        List<JsonNode> pods = selected(objects, selector);
        if (pods.isEmpty()) {
            problem(s, "selector " + selector + " finds no pods among the workloads");
            return;
        }
        for (JsonNode port : s.path("spec").path("ports")) {
            JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
            for (JsonNode w : pods) {
                if (!declares(containers(w), target)) problem(s, "port " + port.path("name").asText() + " targets " + target + ", which " + describe(w) + " does not declare");
            }
        }
    }

    private void ingress(JsonNode i) {
        List<JsonNode> backends = new ArrayList<>();
        if (i.path("spec").has("defaultBackend")) backends.add(i.path("spec").path("defaultBackend"));
        i.path("spec").path("rules").forEach(r -> r.path("http").path("paths").forEach(p -> backends.add(p.path("backend"))));
        i.path("spec").path("tls").forEach(t -> secretsReferenced.add(t.path("secretName").asText()));
        if (backends.isEmpty()) problem(i, "routes nothing");
        for (JsonNode b : backends) {
            String service = b.path("service").path("name").asText();
            Optional<JsonNode> s = find(objects, "Service", service);
            if (s.isEmpty()) {
                problem(i, "routes to Service '" + service + "', which is not here");
                continue;
            }
            JsonNode port = b.path("service").path("port");
            boolean found = false;
            for (JsonNode p : s.get().path("spec").path("ports")) {
                found |= port.has("name") ? port.path("name").asText().equals(p.path("name").asText()) : port.path("number").asInt() == p.path("port").asInt();
            }
            if (!found) problem(i, "routes to port " + port + " of Service '" + service + "', which it does not have");
        }
    }

    private void autoscaler(JsonNode h) {
        JsonNode spec = h.path("spec");
        JsonNode ref = spec.path("scaleTargetRef");
        Optional<JsonNode> target = find(objects, ref.path("kind").asText(), ref.path("name").asText());
        if (target.isEmpty()) {
            problem(h, "scales " + ref.path("kind").asText() + "/" + ref.path("name").asText() + ", which is not here");
            return;
        }
        int min = spec.path("minReplicas").asInt(1);
        int max = spec.path("maxReplicas").asInt();
        if (min < 1 || min > max) problem(h, "minReplicas " + min + " and maxReplicas " + max + " do not make a range");
        int replicas = target.get().path("spec").path("replicas").asInt(1);
        if (replicas < min || replicas > max) problem(h, describe(target.get()) + " starts with " + replicas + " replicas, outside " + min + ".." + max);
        for (JsonNode metric : spec.path("metrics")) {
            String resource = metric.path("resource").path("name").asText("");
            if (!"Utilization".equals(metric.path("resource").path("target").path("type").asText())) continue;
            // Utilization is a share of the request: without one the autoscaler has nothing to divide by.
            for (JsonNode c : podTemplate(target.get()).path("spec").path("containers")) {
                if (c.path("resources").path("requests").path(resource).isMissingNode()) {
                    problem(h, "scales on " + resource + " utilization, but container '" + c.path("name").asText() + "' requests no " + resource);
                }
            }
        }
    }

    private void disruptionBudget(JsonNode b) {
        Map<String, String> selector = strings(b.path("spec").path("selector").path("matchLabels"));
        List<JsonNode> pods = selected(objects, selector);
        if (pods.isEmpty()) {
            problem(b, "selector " + selector + " finds no pods among the workloads");
            return;
        }
        JsonNode minAvailable = b.path("spec").path("minAvailable");
        if (!minAvailable.isInt()) return;
        for (JsonNode w : pods) {
            int least = leastReplicas(w);
            // With minAvailable equal to the replica count no pod may ever be evicted: a node drain would hang.
            if (minAvailable.asInt() >= least) problem(b, "minAvailable " + minAvailable.asInt() + " leaves no pod of " + describe(w) + " (at least " + least + " replicas) evictable");
        }
    }

    /** The fewest replicas a workload runs with: its autoscaler's minimum, or its own count. */
    private int leastReplicas(JsonNode w) {
        for (JsonNode h : ofKind(objects, "HorizontalPodAutoscaler")) {
            JsonNode ref = h.path("spec").path("scaleTargetRef");
            if (ref.path("kind").asText().equals(kind(w)) && ref.path("name").asText().equals(name(w))) {
                return h.path("spec").path("minReplicas").asInt(1);
            }
        }
        return w.path("spec").path("replicas").asInt(1);
    }

    private void networkPolicy(JsonNode n) {
        Map<String, String> selector = strings(n.path("spec").path("podSelector").path("matchLabels"));
        List<JsonNode> pods = selected(objects, selector);
        if (pods.isEmpty()) {
            problem(n, "podSelector " + selector + " finds no pods among the workloads");
            return;
        }
        for (JsonNode rule : n.path("spec").path("ingress")) {
            for (JsonNode port : rule.path("ports")) {
                for (JsonNode w : pods) {
                    if (!declares(containers(w), port.path("port"))) problem(n, "lets traffic in on port " + port.path("port") + ", which " + describe(w) + " does not declare");
                }
            }
        }
    }

    private void problem(JsonNode o, String what) {
        problems.add(describe(o) + ": " + what);
    }
}
