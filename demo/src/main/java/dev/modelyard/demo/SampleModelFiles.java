package dev.modelyard.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the demo's sample models as ONNX files, for setups that release them with the
 * {@code modelyard} command instead of running the demo (the Docker Compose stack does):
 * {@code java -cp modelyard-demo.jar dev.modelyard.demo.SampleModelFiles DIR} writes
 * {@code DIR/demo-classifier-1.0.0.onnx} and {@code DIR/demo-classifier-1.1.0.onnx}.
 */
public final class SampleModelFiles {

    private SampleModelFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java -cp modelyard-demo.jar " + SampleModelFiles.class.getName() + " DIR");
            System.exit(2);
        }
        write(Path.of(args[0])).forEach(System.out::println);
    }

    /** Writes both versions into {@code dir} (created when missing) and returns the files. */
    static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (SampleModel model : List.of(SampleModel.first(), SampleModel.second())) {
            Path file = dir.resolve(SampleModel.NAME + "-" + model.version() + ".onnx");
            Files.write(file, model.onnx());
            files.add(file);
        }
        return files;
    }
}
