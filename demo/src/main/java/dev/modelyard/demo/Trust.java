package dev.modelyard.demo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The root of trust, made as an operator makes it: with the {@code modelyard} key tooling (run
 * here in-process, the same commands as {@code cli/modelyard}). A root key signs root metadata
 * v1, which trusts the release key the server signs releases with; the device gets that root as
 * its trust bundle.
 */
record Trust(Path rootKey, Path releaseKey, Path root) {

    /** Creates the keys and root v1 in {@code dir}; prints each command as an operator would type it. */
    static Trust create(Path dir, Narrator narrator) throws DemoFailure {
        Trust t = new Trust(dir.resolve("root-key.json"), dir.resolve("release-key.json"), dir.resolve("1.root.json"));
        modelyard(narrator, "keys", "generate", "--out", t.rootKey.toString());
        modelyard(narrator, "keys", "generate", "--out", t.releaseKey.toString());
        modelyard(narrator, "root", "init", "--root-key", t.rootKey.toString(), "--release-key", t.releaseKey.toString(),
                "--expires", "365d", "--out", t.root.toString());
        return t;
    }

    /** Writes the device's trust bundle: root v1, checked by the tooling before it is written. */
    void bundle(Path out, Narrator narrator) throws DemoFailure {
        modelyard(narrator, "trust-bundle", "--chain", root.toString(), "--out", out.toString());
    }

    private static void modelyard(Narrator narrator, String... args) throws DemoFailure {
        List<String> line = new ArrayList<>(List.of("modelyard"));
        line.addAll(List.of(args));
        narrator.detail("      $ " + String.join(" ", line));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = dev.modelyard.cli.Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new DemoFailure(String.join(" ", line) + " failed: " + err.toString(StandardCharsets.UTF_8).strip());
        }
    }
}
