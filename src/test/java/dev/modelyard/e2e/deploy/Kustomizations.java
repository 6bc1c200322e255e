package dev.modelyard.e2e.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The kustomizations under a folder: which files each one uses, and what {@code kubectl kustomize} makes of it. */
final class Kustomizations {

    static final String FILE = "kustomization.yaml";
    private static final YAMLMapper YAML = new YAMLMapper();

    private Kustomizations() {
    }

    /** Every kustomization file under {@code root}, in a stable order. */
    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.getFileName().toString().matches("kustomization\\.ya?ml|Kustomization")).sorted().toList();
        }
    }

    static JsonNode read(Path kustomizationFile) throws IOException {
        return YAML.readTree(kustomizationFile.toFile());
    }

    /** A kustomization of its own (rendered by itself), as opposed to a Component that only others use. */
    static boolean isRoot(Path kustomizationFile) throws IOException {
        return !"Component".equals(read(kustomizationFile).path("kind").asText());
    }

    /**
     * The files one kustomization uses, followed through the folders it names (bases and
     * components), including the kustomization files themselves. Problems (a remote base, a
     * generated Secret, a missing file) go to {@code problems}.
     */
    static Set<Path> uses(Path kustomizationFile, List<String> problems) throws IOException {
        Set<Path> out = new TreeSet<>();
        collect(kustomizationFile.toAbsolutePath().normalize(), out, problems);
        return out;
    }

    private static void collect(Path file, Set<Path> out, List<String> problems) throws IOException {
        if (!out.add(file)) return;
        JsonNode k = read(file);
        Path dir = file.getParent();
        List<String> refs = new ArrayList<>();
        k.path("resources").forEach(r -> refs.add(r.asText()));
        k.path("components").forEach(r -> refs.add(r.asText()));
        k.path("patches").forEach(p -> {
            if (p.has("path")) refs.add(p.path("path").asText());
        });
        k.path("patchesStrategicMerge").forEach(p -> refs.add(p.asText()));
        k.path("patchesJson6902").forEach(p -> refs.add(p.path("path").asText()));
        k.path("configMapGenerator").forEach(g -> {
            g.path("files").forEach(f -> refs.add(f.asText().contains("=") ? f.asText().substring(f.asText().indexOf('=') + 1) : f.asText()));
            g.path("envs").forEach(f -> refs.add(f.asText()));
            if (g.has("env")) refs.add(g.path("env").asText());
        });
        if (k.has("secretGenerator")) problems.add(file + ": secretGenerator commits secret values; reference a Secret created with kubectl instead");
        for (String ref : refs) {
            if (ref.contains("://") || ref.startsWith("github.com/")) {
                problems.add(file + ": remote base " + ref + " (the manifests must render offline, from this repository)");
                continue;
            }
            Path target = dir.resolve(ref).normalize();
            if (Files.isDirectory(target)) {
                Path inner = target.resolve(FILE);
                if (!Files.isRegularFile(inner)) problems.add(file + ": " + ref + " has no " + FILE);
                else collect(inner, out, problems);
            } else if (Files.isRegularFile(target)) {
                out.add(target);
            } else {
                problems.add(file + ": " + ref + " does not exist");
            }
        }
    }

    /** {@code kubectl kustomize DIR}: the objects it renders, or an exception that says why it could not. */
    static List<JsonNode> render(Path dir) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(kubectl(), "kustomize", dir.toString()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kubectl (" + e.getMessage() + "): the manifests are checked with"
                    + " `kubectl kustomize`, which needs kubectl 1.27 or newer on the PATH (or in the KUBECTL variable)", e);
        }
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        // Rendering is fast; the deadline only keeps a hung kubectl from hanging the build.
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kubectl kustomize " + dir + " did not finish within 120 s");
        }
        String stderr = new String(err.join(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) throw new IllegalStateException("kubectl kustomize " + dir + " failed (exit " + p.exitValue() + "): " + stderr);
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(out.join())) {
            var docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) objects.add(doc);
            }
        }
        return objects;
    }

    private static String kubectl() {
        String configured = System.getenv("KUBECTL");
        return configured != null && !configured.isBlank() ? configured : "kubectl";
    }

    private static byte[] readAll(InputStream in) {
        try (in; ByteArrayOutputStream buffer = new ByteArrayOutputStream()) {
            in.transferTo(buffer);
            return buffer.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
