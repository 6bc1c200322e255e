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
final class ReleaseCommand extends Action {

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "VERSION")
    String version;

    @Parameters(index = "2", paramLabel = "FILE")
    Path file;

    @Option(names = "--name", paramLabel = "FILENAME", description = "The artifact's name (default: FILE's name).")
    String name;

    @Option(names = "--changelog", paramLabel = "TEXT")
    String changelog;

    @Mixin
    TargetOptions target;

    @Mixin
    Remote remote;

    @Override
    void run(Main.Context context) throws Exception {
        ModelyardClient client = remote.client(context);
        if (client.models().find(model) == null) client.models().create(Models.NewModel.named(model));
        client.versions().create(model, new Versions.NewVersion(version, changelog, null, null, null, null));
        Artifacts.Artifact artifact = ArtifactsCommand.upload(client, model, version, file, name, target);
        client.versions().publish(model, version);
        Remote.print(context, artifact);
    }
}
