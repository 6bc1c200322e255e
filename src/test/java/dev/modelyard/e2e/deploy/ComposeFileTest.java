package dev.modelyard.e2e.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml cannot rot unseen (there is no Docker engine where the tests run, so the
 * file is read, not run): every variable it sets is one its program reads, images are pinned and
 * builds exist, dependencies can be met, URLs and published ports name ports the services listen
 * on, passwords have no defaults, and the updater configuration the demo service writes holds
 * only keys the updater reads.
 */
class ComposeFileTest {

    /** Variables the third-party images document, by image name (without tag). */
    private static final Map<String, Set<String>> IMAGE_VARIABLES = Map.of(
            "postgres", Set.of("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_INITDB_ARGS", "PGDATA"),
            "minio/minio", Set.of("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_REGION", "MINIO_BROWSER"),
            "minio/mc", Set.of(),
            "eclipse-mosquitto", Set.of());
    /** The ports the third-party images listen on. */
    private static final Map<String, Set<Integer>> IMAGE_PORTS = Map.of(
            "postgres", Set.of(5432), "minio/minio", Set.of(9000, 9001), "minio/mc", Set.of(), "eclipse-mosquitto", Set.of(1883));
    private static final Pattern URL = Pattern.compile("\\b[a-z][a-z0-9+]*://([A-Za-z0-9.-]+)(?::(\\d+))?");
    private static final Pattern INTERPOLATION = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)}");
    private static final Pattern UPDATER_KEY = Pattern.compile(
            "(?:getProperty|required|number|bool|decimal|optionalDuration|optionalPath)\\((?:\\w+, )*\"([a-z][a-z0-9.]*)\"");

    private static Path repository;
    private static String text;
    private static Map<String, JsonNode> services;

    @BeforeAll
    static void read() throws IOException {
        repository = Repository.root();
        Path file = repository.resolve("docker-compose.yml");
        text = Files.readString(file);
        services = new LinkedHashMap<>();
        new YAMLMapper().readTree(file.toFile()).path("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
    }

    @Test
    void theStackHasEveryPartOfTheProduct() {
        assertEquals(Set.of("postgres", "minio", "minio-bucket", "mqtt-passwords", "mosquitto", "registry", "demo", "device", "demo-deploy"),
                services.keySet());
        assertEquals("registry-server/Dockerfile", services.get("registry").path("build").path("dockerfile").asText());
        assertEquals("device-updater/Dockerfile", services.get("device").path("build").path("dockerfile").asText());
    }

    @Test
    void imagesArePinnedAndBuildsCopyFilesThatExist() throws IOException {
        List<String> problems = new ArrayList<>();
        for (var s : services.entrySet()) {
            JsonNode service = s.getValue();
            if (service.has("image")) {
                String image = service.path("image").asText();
                if (!image.contains(":") || image.endsWith(":latest")) problems.add(s.getKey() + ": image " + image + " has no fixed tag");
                if (!IMAGE_PORTS.containsKey(imageName(image))) problems.add(s.getKey() + ": image " + image + " is not described in this test");
            } else if (service.has("build")) {
                Path context = repository.resolve(service.path("build").path("context").asText(".")).normalize();
                Path dockerfile = context.resolve(service.path("build").path("dockerfile").asText("Dockerfile"));
                if (!Files.isRegularFile(dockerfile)) {
                    problems.add(s.getKey() + ": " + dockerfile + " does not exist");
                    continue;
                }
                for (String line : Files.readAllLines(dockerfile)) {
                    String[] words = line.strip().split("\\s+");
                    if (!words[0].equals("COPY") || line.contains("--from=")) continue;
                    for (int i = 1; i < words.length - 1; i++) {
                        if (!words[i].startsWith("--") && !Files.exists(context.resolve(words[i]))) {
                            problems.add(s.getKey() + ": " + repository.relativize(dockerfile) + " copies " + words[i] + ", which does not exist");
                        }
                    }
                }
            } else {
                problems.add(s.getKey() + ": neither image nor build");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyVariableIsOneItsProgramReads() throws IOException {
        ServerSettings server = ServerSettings.read(repository, Repository.serverApp());
        String script = Files.readString(repository.resolve("demo/docker/compose-demo.sh"));
        String remote = Files.readString(repository.resolve("cli/src/main/java/dev/modelyard/cli/Remote.java"));
        List<String> problems = new ArrayList<>();
        for (var s : services.entrySet()) {
            String dockerfile = s.getValue().path("build").path("dockerfile").asText("");
            String command = s.getValue().path("entrypoint").toString() + s.getValue().path("command").toString();
            for (String name : environment(s.getValue()).keySet()) {
                boolean read = switch (dockerfile) {
                    case "registry-server/Dockerfile" -> server.reads(name);
                    case "device-updater/Dockerfile" -> ServerSettings.JVM_VARIABLES.contains(name);
                    // The demo script's own variables, and the ones the modelyard command reads (Remote).
                    case "demo/Dockerfile" -> script.contains("${" + name) || script.contains("$" + name) || remote.contains("\"" + name + "\"");
                    default -> IMAGE_VARIABLES.getOrDefault(imageName(s.getValue().path("image").asText()), Set.of()).contains(name)
                            || command.contains("$$" + name) || command.contains("$${" + name);
                };
                if (!read) problems.add(s.getKey() + ": " + name + " is set, but nothing there reads it");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void passwordsTokensAndKeysHaveNoDefaults() {
        List<String> problems = new ArrayList<>();
        Matcher m = INTERPOLATION.matcher(text);
        Set<String> required = new TreeSet<>();
        while (m.find()) {
            String name = m.group(1);
            boolean secret = name.matches(".*(PASSWORD|TOKEN|SECRET).*");
            if (secret && !m.group(2).startsWith(":?")) problems.add("${" + name + m.group(2) + "}: a secret needs ':?' (required), never a default");
            if (m.group(2).startsWith(":?")) required.add(name);
        }
        assertEquals(List.of(), problems);
        assertEquals(Set.of("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "MODELYARD_ADMIN_TOKEN"), required);
    }

    @Test
    void dependenciesNameServicesAndConditionsTheyCanMeet() {
        List<String> problems = new ArrayList<>();
        for (var s : services.entrySet()) {
            s.getValue().path("depends_on").fields().forEachRemaining(d -> {
                JsonNode target = services.get(d.getKey());
                String condition = d.getValue().path("condition").asText("service_started");
                if (target == null) problems.add(s.getKey() + " depends on " + d.getKey() + ", which is no service");
                else if (condition.equals("service_healthy") && !target.has("healthcheck")) problems.add(s.getKey() + " waits for " + d.getKey() + " to be healthy, but it has no healthcheck");
                else if (condition.equals("service_completed_successfully") && !target.path("restart").asText("no").equals("no")) problems.add(s.getKey() + " waits for " + d.getKey() + " to complete, but it restarts");
            });
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void urlsAndPublishedPortsNamePortsTheServicesListenOn() throws IOException {
        List<String> problems = new ArrayList<>();
        Set<String> hostPorts = new HashSet<>();
        for (var s : services.entrySet()) {
            for (var e : environment(s.getValue()).entrySet()) urls(s.getKey() + ": " + e.getKey(), e.getValue(), problems);
            for (JsonNode p : s.getValue().path("ports")) {
                String[] parts = p.asText().split(":");
                int container = Integer.parseInt(parts[parts.length - 1]);
                if (!listens(s.getKey()).contains(container)) problems.add(s.getKey() + ": publishes " + container + ", which it does not listen on " + listens(s.getKey()));
                if (!hostPorts.add(parts[0])) problems.add(s.getKey() + ": host port " + parts[0] + " is published twice");
            }
        }
        urls("the updater configuration the demo writes", updaterProperties().toString(), problems);
        assertEquals(List.of(), problems);
    }

    @Test
    void volumesAreDeclaredAndBindMountsExist() {
        Set<String> declared = new TreeSet<>();
        try {
            new YAMLMapper().readTree(text).path("volumes").fieldNames().forEachRemaining(declared::add);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> problems = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (var s : services.entrySet()) {
            for (JsonNode v : s.getValue().path("volumes")) {
                String source = v.asText().split(":")[0];
                if (source.startsWith(".") || source.startsWith("/")) {
                    if (!Files.exists(repository.resolve(source).normalize())) problems.add(s.getKey() + ": mounts " + source + ", which does not exist");
                } else if (!declared.contains(source)) {
                    problems.add(s.getKey() + ": volume " + source + " is not declared");
                } else {
                    used.add(source);
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(declared, used, "declared volumes no service uses");
    }

    @Test
    void theDemoWritesAnUpdaterConfigurationTheUpdaterReadsWhereTheUpdaterLooks() throws IOException {
        Set<String> known = new TreeSet<>();
        try (Stream<Path> files = Files.walk(repository.resolve("device-updater/src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = UPDATER_KEY.matcher(Files.readString(f));
                while (m.find()) known.add(m.group(1));
            }
        }
        assertTrue(known.containsAll(Set.of("server.url", "controller.id", "trust.bundle", "push.mqtt.url")), "the updater's keys as found: " + known);
        Map<String, String> properties = updaterProperties();
        Set<String> unknown = new TreeSet<>(properties.keySet());
        unknown.removeAll(known);
        assertEquals(Set.of(), unknown, "keys the updater does not read");
        // Where the updater container finds what the demo wrote, and what its configuration names.
        String updaterDockerfile = Files.readString(repository.resolve("device-updater/Dockerfile"));
        assertTrue(updaterDockerfile.contains("\"--config\", \"/etc/modelyard/updater.properties\""));
        assertEquals(volumeAt("demo", "/etc/modelyard"), volumeAt("device", "/etc/modelyard"));
        assertEquals("/var/lib/modelyard", properties.get("data.dir"));
        assertTrue(volumeAt("device", "/var/lib/modelyard") != null, "the device keeps its models in a volume");
        String passwordFile = properties.get("push.mqtt.password.file");
        String passwordDir = passwordFile.substring(0, passwordFile.lastIndexOf('/'));
        assertEquals(volumeAt("mqtt-passwords", "/secrets/device"), volumeAt("device", passwordDir));
        assertEquals(volumeAt("mqtt-passwords", "/secrets/server"), volumeAt("registry", "/run/mqtt"));
        assertEquals("/run/mqtt/server.password", environment(services.get("registry")).get("MODELYARD_PUSH_MQTT_PASSWORD_FILE"));
        // The device's broker user is its controller id (the updater's default), which the password file is made for.
        assertEquals(environment(services.get("demo")).get("DEMO_DEVICE_ID"), environment(services.get("mqtt-passwords")).get("DEMO_DEVICE_ID"));
        assertEquals(environment(services.get("demo")), environment(services.get("demo-deploy")));
        // The device starts once it is provisioned; the assignment waits for the device.
        assertEquals("[\"provision\"]", services.get("demo").path("command").toString());
        assertEquals("[\"deploy\"]", services.get("demo-deploy").path("command").toString());
        assertEquals("service_completed_successfully", services.get("device").path("depends_on").path("demo").path("condition").asText());
        assertTrue(services.get("demo-deploy").path("depends_on").has("device"));
    }

    /**
     * The updater.properties the demo script writes (its here-document), with its variables as
     * they are in the demo service: set by Compose, or the script's defaults ({@code X=${VAR:-default}}).
     */
    static Map<String, String> updaterProperties() throws IOException {
        String script = Files.readString(repository.resolve("demo/docker/compose-demo.sh"));
        Map<String, String> env = environment(services.get("demo"));
        Map<String, String> variables = new LinkedHashMap<>(env);
        Matcher defaults = Pattern.compile("(?m)^(\\w+)=\\$\\{(\\w+):-([^}]*)}").matcher(script);
        while (defaults.find()) variables.put(defaults.group(1), env.getOrDefault(defaults.group(2), defaults.group(3)));
        Matcher doc = Pattern.compile("updater\\.properties\" <<PROPS\\n(.*?)\\nPROPS", Pattern.DOTALL).matcher(script);
        assertTrue(doc.find(), "compose-demo.sh writes updater.properties with a <<PROPS here-document");
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : doc.group(1).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            Matcher ref = Pattern.compile("\\$(\\w+)").matcher(line.substring(line.indexOf('=') + 1));
            StringBuilder value = new StringBuilder();
            while (ref.find()) {
                assertTrue(variables.containsKey(ref.group(1)), "updater.properties uses $" + ref.group(1) + ", which has no value in the demo service");
                ref.appendReplacement(value, Matcher.quoteReplacement(variables.get(ref.group(1))));
            }
            ref.appendTail(value);
            out.put(line.substring(0, line.indexOf('=')), value.toString());
        }
        return out;
    }

    private static void urls(String where, String value, List<String> problems) throws IOException {
        Matcher m = URL.matcher(value);
        while (m.find()) {
            String host = m.group(1);
            if (!services.containsKey(host)) {
                problems.add(where + ": " + m.group() + " names host " + host + ", which is no service");
            } else if (m.group(2) != null && !listens(host).contains(Integer.parseInt(m.group(2)))) {
                problems.add(where + ": " + m.group() + ", but " + host + " listens on " + listens(host));
            }
        }
    }

    /** The ports a service listens on: its image's, or what its Dockerfile exposes. */
    private static Set<Integer> listens(String service) throws IOException {
        JsonNode s = services.get(service);
        if (s.has("image")) return IMAGE_PORTS.getOrDefault(imageName(s.path("image").asText()), Set.of());
        Set<Integer> ports = new TreeSet<>();
        Path dockerfile = repository.resolve(s.path("build").path("context").asText(".")).resolve(s.path("build").path("dockerfile").asText());
        for (String line : Files.readAllLines(dockerfile)) {
            if (line.startsWith("EXPOSE ")) for (String p : line.substring(7).strip().split("\\s+")) ports.add(Integer.parseInt(p.replace("/tcp", "")));
        }
        return ports;
    }

    private static String volumeAt(String service, String mountPoint) {
        for (JsonNode v : services.get(service).path("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts[1].equals(mountPoint)) return parts[0];
        }
        return null;
    }

    private static Map<String, String> environment(JsonNode service) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode env = service.path("environment");
        if (env.isArray()) env.forEach(e -> out.put(e.asText().split("=", 2)[0], e.asText().contains("=") ? e.asText().split("=", 2)[1] : ""));
        else env.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static String imageName(String image) {
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
    }
}
