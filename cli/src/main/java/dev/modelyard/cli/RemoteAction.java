package dev.modelyard.cli;

import dev.modelyard.client.ModelyardClient;
import picocli.CommandLine.Mixin;

/**
 * A registry command: one call through the API client, its answer printed as JSON by default
 * (these commands predate {@code --output}; scripts read their JSON), or as YAML or a table.
 */
abstract class RemoteAction extends Action {

    @Mixin
    Remote remote;

    @Mixin
    OutputFormat.Option output;

    @Override
    final void run(Main.Context context) throws Exception {
        Object answer = call(remote.client(context));
        output.orElse(OutputFormat.JSON).print(context.out(), answer, null);
    }

    /** The call; a refusal ({@link dev.modelyard.client.ApiProblemException}) becomes one line with its code. */
    abstract Object call(ModelyardClient client) throws Exception;
}
