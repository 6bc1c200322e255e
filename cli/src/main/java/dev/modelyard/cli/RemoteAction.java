package dev.modelyard.cli;

import dev.modelyard.client.ModelyardClient;
import picocli.CommandLine.Mixin;

/** A registry command: one call through the API client, its answer printed as JSON for scripts. */
abstract class RemoteAction extends Action {

    @Mixin
    Remote remote;

    @Override
    final void run(Main.Context context) throws Exception {
        Remote.print(context, call(remote.client(context)));
    }

    /** The call; a refusal ({@link dev.modelyard.client.ApiProblemException}) becomes one line with its code. */
    abstract Object call(ModelyardClient client) throws Exception;
}
