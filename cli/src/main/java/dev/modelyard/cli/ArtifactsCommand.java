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

    /** What describes an uploaded file on the registry: the same for a plain upload and a one-step release. */
    static final class Upload {
        @Option(names = "--name", paramLabel = "FILENAME", description = "The artifact's name (default: FILE's name).")
        String name;

        @Mixin
        TargetOptions target;

        /** Refuses a missing file before anything is changed on the registry. */
        static void requireFile(Path file) throws CliException {
            if (!Files.isRegularFile(file)) throw new CliException(file + ": no such file");
        }

        Artifacts.Artifact send(ModelyardClient client, VersionRef ref, Path file) throws CliException {
            requireFile(file);
            String filename = name != null ? name : file.getFileName().toString();
            return file.toFile().length() > RESUMABLE_ABOVE
                    ? client.artifacts().putResumable(ref.model, ref.version, filename, file, target.get(), CHUNK)
                    : client.artifacts().put(ref.model, ref.version, filename, file, target.get());
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Upload FILE to a draft version, with its SHA-256 so a corrupted transfer is refused.",
                    "Files larger than 64 MiB are sent in resumable 32 MiB chunks."})
    static final class Put extends RemoteAction {
        @Mixin
        VersionRef ref;

        @Parameters(index = "2", paramLabel = "FILE")
        Path file;

        @Mixin
        Upload upload;

        @Override
        Object call(ModelyardClient client) throws CliException {
            return upload.send(client, ref, file);
        }
    }

    /** What a download wrote. */
    record Downloaded(String file, long bytes) {
    }

    @Command(name = "download", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Download an artifact's content to a file (written whole or not at all).")
    static final class Download extends RemoteAction {
        @Mixin
        VersionRef ref;

        @Parameters(index = "2", paramLabel = "ARTIFACT", description = "The artifact's file name or id.")
        String artifact;

        @Option(names = "--out", required = true, paramLabel = "FILE")
        Path out;

        @Override
        Object call(ModelyardClient client) throws Exception {
            Path absolute = out.toAbsolutePath();
            Path part = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".part");
            try {
                long bytes;
                try (OutputStream o = Files.newOutputStream(part)) {
                    bytes = client.artifacts().download(ref.model, ref.version, artifact, o);
                }
                Files.move(part, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return new Downloaded(out.toString(), bytes);
            } finally {
                Files.deleteIfExists(part);
            }
        }
    }
}
