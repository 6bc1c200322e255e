package dev.modelyard.cli;

import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Sign and release a draft version: its artifacts can no longer change, and devices can be given it.")
final class PublishCommand extends Action {

    @Mixin
    VersionRef ref;

    @Mixin
    Remote remote;

    @Mixin
    OutputFormat.Option output;

    @Override
    void run(Main.Context context) throws Exception {
        ModelyardClient client = remote.client(context);
        Versions.Version v = client.versions().publish(ref.model, ref.version);
        output.orElse(OutputFormat.TABLE).print(context.out(), v, () -> "published " + v.model() + " " + v.version()
                + " (release counter " + v.releaseCounter() + ", " + v.artifactCount() + " artifacts)");
    }
}
