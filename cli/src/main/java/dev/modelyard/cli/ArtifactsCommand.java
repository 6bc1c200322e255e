package dev.modelyard.cli;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "artifacts", mixinStandardHelpOptions = true,
        description = "Upload and download the files of a version.",
        subcommands = {ArtifactsCommand.Put.class, ArtifactsCommand.Download.class})
final class ArtifactsCommand {

    /** Files above this size go up in resumable chunks, so a broken connection costs one chunk. */
    static final long RESUMABLE_ABOVE = 64L * 1024 * 1024;
    static final long CHUNK = 32L * 1024 * 1024;

    @Command(name = "put", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Upload FILE to a draft version, with its SHA-256 so a corrupted transfer is refused.",
                    "Files larger than 64 MiB are sent in resumable 32 MiB chunks."})
    static final class Put extends Action {
        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Parameters(index = "2", paramLabel = "FILE")
        Path file;

        @Option(names = "--name", paramLabel = "FILENAME", description = "The artifact's name (default: FILE's name).")
        String name;

        @Mixin
        TargetOptions target;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            Remote.print(context, upload(remote.client(context), model, version, file, name, target));
        }
    }

    static Artifacts.Artifact upload(ModelyardClient client, String model, String version, Path file, String name,
                                     TargetOptions target) throws CliException {
        if (!Files.isRegularFile(file)) throw new CliException(file + ": no such file");
        String filename = name != null ? name : file.getFileName().toString();
        long size = file.toFile().length();
        return size > RESUMABLE_ABOVE
                ? client.artifacts().putResumable(model, version, filename, file, target.get(), CHUNK)
                : client.artifacts().put(model, version, filename, file, target.get());
    }

    @Command(name = "download", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Download an artifact's content to a file (written whole or not at all).")
    static final class Download extends Action {
        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Parameters(index = "2", paramLabel = "ARTIFACT")
        String artifact;

        @Option(names = "--out", required = true, paramLabel = "FILE")
        Path out;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            Path absolute = out.toAbsolutePath();
            Path part = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".part");
            try {
                long bytes;
                try (OutputStream o = Files.newOutputStream(part)) {
                    bytes = remote.client(context).artifacts().download(model, version, artifact, o);
                }
                Files.move(part, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                context.out().println("wrote " + out + " (" + bytes + " bytes)");
            } finally {
                Files.deleteIfExists(part);
            }
        }
    }
}
