package dev.modelyard.cli;

import dev.modelyard.client.ModelyardClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Which registry a command talks to and with which API token: {@code --server} and
 * {@code --token-file} (or the environment variables) win over the chosen context
 * ({@code --context}, {@value Config#CONTEXT_ENV}, or the config file's current one), so a script
 * can always say exactly what it means. The token never comes from an argument (it would show in
 * the process list and the shell history): from a file or the environment.
 */
final class Remote {

    static final String SERVER_ENV = "MODELYARD_SERVER";
    static final String TOKEN_ENV = "MODELYARD_TOKEN";

    @Option(names = "--server", paramLabel = "URL",
            description = "The registry, e.g. http://registry:8080 (default: environment variable " + SERVER_ENV + ", then the context's).")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Read the API token from the first line of FILE (default: environment variable " + TOKEN_ENV + ", then the context's).")
    Path tokenFile;

    @Option(names = "--context", paramLabel = "NAME",
            description = "A context stored by 'modelyard login' (default: environment variable " + Config.CONTEXT_ENV + ", then the current one).")
    String contextName;

    /** Where the command goes, resolved. */
    record Target(URI server, String token, String tenant, String context, Path trustBundle) {
    }

    ModelyardClient client(Main.Context context) throws CliException {
        Target t = resolve(context);
        ModelyardClient.Builder b = ModelyardClient.builder(t.server()).token(t.token());
        if (t.tenant() != null) b.tenant(t.tenant());
        return b.build();
    }

    Target resolve(Main.Context context) throws CliException {
        Config.Entry entry = entry(context);
        String url = server != null ? server : context.env().apply(SERVER_ENV);
        if ((url == null || url.isBlank()) && entry != null) url = entry.server();
        if (url == null || url.isBlank()) {
            throw new CliException("no server: give --server URL or set " + SERVER_ENV + " (or store a context with 'modelyard login')");
        }
        return new Target(url(url), token(context, entry), entry == null ? null : entry.tenant(), entry == null ? null : entry.name(),
                entry == null || entry.trustBundle() == null ? null : Path.of(entry.trustBundle()));
    }

    /** The chosen context, or null when none is chosen and none is current. */
    private Config.Entry entry(Main.Context context) throws CliException {
        String name = contextName != null ? contextName : context.env().apply(Config.CONTEXT_ENV);
        boolean explicit = name != null && !name.isBlank();
        // Server and token both given outright: the current context (its tenant too) has no say.
        if (!explicit && given(server, SERVER_ENV, context) && (tokenFile != null || given(null, TOKEN_ENV, context))) return null;
        Path file = Config.path(context.env());
        Config config = Config.load(file);
        if (explicit) return config.require(name.strip());
        return config.currentContext() == null ? null : config.find(config.currentContext()).orElse(null);
    }

    private static boolean given(String option, String env, Main.Context context) {
        String v = option != null ? option : context.env().apply(env);
        return v != null && !v.isBlank();
    }

    static URI url(String url) throws CliException {
        URI base;
        try {
            base = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new CliException("--server: '" + url + "' is not a URL");
        }
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
            throw new CliException("--server: '" + url + "' is not an http(s) URL");
        }
        return base;
    }

    private String token(Main.Context context, Config.Entry entry) throws CliException {
        if (tokenFile != null) return readToken(tokenFile);
        String value = context.env().apply(TOKEN_ENV);
        if (value != null && !value.isBlank()) return value.strip();
        if (entry != null) return fromContext(context, entry);
        throw new CliException("no API token: give --token-file FILE or set " + TOKEN_ENV + " (or store a context with 'modelyard login')");
    }

    static String fromContext(Main.Context context, Config.Entry entry) throws CliException {
        if (entry.tokenFile() != null) return readToken(Path.of(entry.tokenFile()));
        if (entry.tokenEnv() != null) {
            String v = context.env().apply(entry.tokenEnv());
            if (v == null || v.isBlank()) {
                throw new CliException("context '" + entry.name() + "': environment variable " + entry.tokenEnv() + " (its API token) is not set");
            }
            return v.strip();
        }
        if (entry.token() != null) return entry.token();
        throw new CliException("context '" + entry.name() + "' has no API token; run 'modelyard login' again");
    }

    static String readToken(Path file) throws CliException {
        String first = new String(Io.read(file), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
        if (first.isEmpty()) throw new CliException(file + ": the first line (the API token) is empty");
        return first;
    }

    /** Prints an answer as JSON, the form scripts read. */
    static void print(Main.Context context, Object value) throws Exception {
        OutputFormat.JSON.print(context.out(), value, null);
    }
}
