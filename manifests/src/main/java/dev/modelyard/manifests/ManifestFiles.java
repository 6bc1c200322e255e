package dev.modelyard.manifests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finding manifest files: a file as given, or every {@code *.yaml} and {@code *.yml} under a folder, in name order. */
public final class ManifestFiles {

    private ManifestFiles() {
    }

    /**
     * The sources under {@code path}, each named by its path relative to {@code base} (how errors
     * and plans show it), or as found under {@code path} as given when {@code base} is null; hidden
     * folders (.git) are skipped.
     */
    public static List<ManifestReader.Source> read(Path path, Path base) throws IOException {
        if (Files.isRegularFile(path)) return List.of(source(path, base));
        if (!Files.isDirectory(path)) throw new IOException(path + ": no such file or folder");
        try (Stream<Path> files = Files.walk(path)) {
            List<Path> found = files.filter(Files::isRegularFile)
                    .filter(p -> isManifest(p.getFileName().toString()))
                    .filter(p -> !hidden(path.relativize(p)))
                    .sorted().toList();
            List<ManifestReader.Source> out = new java.util.ArrayList<>();
            for (Path p : found) out.add(source(p, base));
            return out;
        }
    }

    /**
     * Whether a file at this path (relative to the folder, '/'-separated) is a manifest as {@link #read}
     * finds them: a {@code .yaml} or {@code .yml} file outside hidden folders. For callers that list
     * files themselves, such as the server's git sync reading a commit's tree.
     */
    public static boolean counts(String relativePath) {
        if (relativePath == null || relativePath.isEmpty()) return false;
        String[] parts = relativePath.split("/");
        for (String part : parts) if (part.startsWith(".")) return false;
        return isManifest(parts[parts.length - 1]);
    }

    static boolean isManifest(String name) {
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) if (part.toString().startsWith(".")) return true;
        return false;
    }

    private static ManifestReader.Source source(Path p, Path base) throws IOException {
        Path shown = base == null ? p : base.toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize());
        return new ManifestReader.Source(shown.toString().replace('\\', '/'), Files.readString(p, StandardCharsets.UTF_8));
    }
}
