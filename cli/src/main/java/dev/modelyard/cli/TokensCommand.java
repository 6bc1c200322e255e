package dev.modelyard.cli;

import dev.modelyard.client.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "API tokens of a registry. Answers are printed as JSON.",
        subcommands = {TokensCommand.Create.class})
final class TokensCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Issue an API token. The answer carries the secret, shown this once.")
    static final class Create extends Action {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, publisher or admin")
        String role;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            Remote.print(context, remote.client(context).tokens().create(new Tokens.NewToken(name, role, null)));
        }
    }
}
