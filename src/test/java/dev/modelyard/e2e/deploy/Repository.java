package dev.modelyard.e2e.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository the tests run in: the deployment files they check live at its top. */
final class Repository {

    private Repository() {
    }

    static Path root() {
        String configured = System.getProperty("modelyard.repository");
        Path root = configured != null ? Path.of(configured) : Path.of("../..");
        root = root.toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("docker-compose.yml")) || !Files.isDirectory(root.resolve("k8s"))) {
            throw new IllegalStateException(root + " is not the repository's top folder (no docker-compose.yml and k8s/ there);"
                    + " run the tests through Maven, which sets modelyard.repository");
        }
        return root;
    }

    /** The project's version, as the build sets it (e.g. 0.1.0-SNAPSHOT). */
    static String version() {
        String version = System.getProperty("modelyard.version");
        if (version == null || version.isBlank()) {
            throw new IllegalStateException("the system property modelyard.version is not set; run the tests through Maven");
        }
        return version;
    }

    /** The packaged server (quarkus-app), which the settings are read from. */
    static Path serverApp() {
        String jar = System.getProperty("modelyard.server.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("the packaged server (" + jar + ") is missing: build it with"
                    + " mvn -B -pl src/test -am verify, which packages registry-server first");
        }
        return Path.of(jar).toAbsolutePath().getParent();
    }
}
