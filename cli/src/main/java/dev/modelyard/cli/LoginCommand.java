package dev.modelyard.cli;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Session;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "login", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check a server and an API token, and store them as a context (and make it the current one).",
                "The config file ($" + Config.CONFIG_ENV + " or ~/.config/modelyard/config.yaml, mode 0600) keeps where the "
                        + "token is (the file or the environment variable), not the token, unless --store-token."})
final class LoginCommand extends Action {

    @Option(names = "--server", required = true, paramLabel = "URL", description = "The registry, e.g. https://registry.example.com")
    String server;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "The tenant the token must belong to (checked now and on every call).")
    String tenant;

    static final class TokenSource {
        @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "The API token is the first line of FILE.")
        Path file;

        @Option(names = "--token-env", required = true, paramLabel = "VAR", description = "The API token is in environment variable VAR.")
        String env;
    }

    @ArgGroup(multiplicity = "1")
    TokenSource source;

    @Option(names = "--context", paramLabel = "NAME", description = "The context's name (default: the server's host).")
    String name;

    @Option(names = "--trust-bundle", paramLabel = "FILE",
            description = "The trusted root (e.g. trust-bundle.json) that 'pull' verifies releases' signatures against.")
    Path trustBundle;

    @Option(names = "--store-token", description = "Store the token itself in the config file instead of where it is.")
    boolean storeToken;

    @Option(names = "--no-use", negatable = false, description = "Store the context without making it the current one.")
    boolean noUse;

    @Mixin
    OutputFormat.Option output;

    /** What login prints: the context and who the token is. */
    record LoggedIn(String context, String server, String tenant, String token, String role, java.util.List<String> permissions) {
    }

    @Override
    void run(Main.Context context) throws Exception {
        java.net.URI url = Remote.url(server);
        String contextName = name != null ? name : url.getHost() + (url.getPort() > 0 ? "-" + url.getPort() : "");
        Config.Entry where = new Config.Entry(contextName, url.toString().replaceAll("/+$", ""), tenant,
                source.file != null ? source.file.toAbsolutePath().toString() : null, source.env, null,
                trustBundle == null ? null : trustBundle.toAbsolutePath().toString());
        if (trustBundle != null) RootCommand.trustStore(trustBundle); // a broken bundle is refused now, not at the first pull
        String token = Remote.fromContext(context, where);
        Config.Entry entry = storeToken ? new Config.Entry(contextName, where.server(), tenant, null, null, token, where.trustBundle()) : where;
        Session.View session = check(url, token);
        Path file = Config.path(context.env());
        Config.load(file).with(entry, !noUse).save(file);
        LoggedIn answer = new LoggedIn(contextName, entry.server(), session.tenant() == null ? null : session.tenant().id(),
                session.token() == null ? null : session.token().name(), session.token() == null ? null : session.token().role(),
                session.permissions());
        output.orElse(OutputFormat.TABLE).print(context.out(), answer, () -> "logged in to " + entry.server() + " as token '"
                + answer.token() + "' (role " + answer.role() + ") of tenant " + answer.tenant()
                + "\ncontext '" + contextName + "' stored in " + file + (noUse ? "" : " and in use"));
    }

    /** One cheap authorized call: the server answers, the token is valid, of the tenant meant. */
    private Session.View check(java.net.URI url, String token) throws CliException {
        ModelyardClient.Builder b = ModelyardClient.builder(url).token(token).timeout(java.time.Duration.ofSeconds(30));
        if (tenant != null) b.tenant(tenant);
        try {
            return b.build().session().get();
        } catch (UncheckedIOException e) {
            throw new CliException("the server at " + url + " does not answer: " + Main.oneLine(e.getMessage()));
        } catch (ApiProblemException e) {
            if (e.status() == 404) throw new CliException(url + " does not look like a Modelyard server (GET /api/v1/session: 404)");
            throw e;
        }
    }
}
