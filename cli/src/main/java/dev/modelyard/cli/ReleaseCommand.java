package dev.modelyard.cli;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Models;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "release", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publish FILE as VERSION of MODEL in one step: the model is created when missing, then a "
                + "draft, the upload (with its SHA-256) and the release. Prints the stored artifact as JSON.",
                "The same command sets up the benches and demos, so their fixtures are made the way users make them."})
final class ReleaseCommand extends RemoteAction {

    @Mixin
    VersionRef ref;

    @Parameters(index = "2", paramLabel = "FILE")
    Path file;

    @Mixin
    ArtifactsCommand.Upload upload;

    @Option(names = "--changelog", paramLabel = "TEXT")
    String changelog;

    @Override
    Object call(ModelyardClient client) throws CliException {
        ArtifactsCommand.Upload.requireFile(file);
        if (client.models().find(ref.model) == null) client.models().create(Models.NewModel.named(ref.model));
        client.versions().create(ref.model, new Versions.NewVersion(ref.version, changelog, null, null, null, null));
        Artifacts.Artifact artifact = upload.send(client, ref, file);
        client.versions().publish(ref.model, ref.version);
        return artifact;
    }
}
