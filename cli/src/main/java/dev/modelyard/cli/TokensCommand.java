package dev.modelyard.cli;

import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Tokens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tokens", mixinStandardHelpOptions = true, description = "API tokens of a registry.",
        subcommands = {TokensCommand.Create.class})
final class TokensCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Issue an API token. The answer (JSON) carries the secret, shown this once.")
    static final class Create extends RemoteAction {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, publisher or admin")
        String role;

        @Override
        Object call(ModelyardClient client) {
            return client.tokens().create(new Tokens.NewToken(name, role, null));
        }
    }
}
