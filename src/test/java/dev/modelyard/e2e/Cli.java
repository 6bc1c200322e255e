package dev.modelyard.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged {@code modelyard} command-line tool, run as a process in a working directory. */
final class Cli {

    record Run(int code, String out) {
    }

    private Cli() {
    }

    static Run run(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("modelyard.cli.jar")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException("the CLI hung: " + cmd);
        return new Run(p.exitValue(), out);
    }
}
