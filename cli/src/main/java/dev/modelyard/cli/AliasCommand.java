package dev.modelyard.cli;

import dev.modelyard.client.Models;
import dev.modelyard.client.ModelyardClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "alias", mixinStandardHelpOptions = true,
        description = "Movable names on versions (production, canary): deployments and rollouts may name an alias instead of a version.",
        subcommands = {AliasCommand.Set.class, AliasCommand.Rm.class})
final class AliasCommand {

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Point ALIAS of MODEL at VERSION (created, or moved).")
    static final class Set extends Action {
        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", paramLabel = "ALIAS")
        String alias;

        @Parameters(index = "2", paramLabel = "VERSION")
        String version;

        @Mixin
        Remote remote;

        @Mixin
        OutputFormat.Option output;

        @Override
        void run(Main.Context context) throws Exception {
            ModelyardClient client = remote.client(context);
            Models.Alias a = client.models().setAlias(model, alias, version);
            output.orElse(OutputFormat.TABLE).print(context.out(), a, () -> a.model() + " " + a.name() + " -> " + a.version());
        }
    }

    @Command(name = "rm", aliases = "delete", mixinStandardHelpOptions = true, description = "Remove ALIAS of MODEL.")
    static final class Rm extends Action {
        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", paramLabel = "ALIAS")
        String alias;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            remote.client(context).models().deleteAlias(model, alias);
            context.out().println("removed alias " + alias + " of " + model);
        }
    }
}
