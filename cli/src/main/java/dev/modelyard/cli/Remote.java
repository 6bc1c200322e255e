package dev.modelyard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.wire.json.WireJson;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Which registry a command talks to and with which API token. The token never comes from an
 * argument (it would show in the process list and the shell history): from a file or the
 * environment.
 */
final class Remote {

    static final String SERVER_ENV = "MODELYARD_SERVER";
    static final String TOKEN_ENV = "MODELYARD_TOKEN";
    private static final ObjectMapper JSON = WireJson.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @Option(names = "--server", paramLabel = "URL",
            description = "The registry, e.g. http://registry:8080 (default: environment variable " + SERVER_ENV + ").")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Read the API token from the first line of FILE (default: environment variable " + TOKEN_ENV + ").")
    Path tokenFile;

    ModelyardClient client(Main.Context context) throws CliException {
        String url = server != null ? server : context.env().apply(SERVER_ENV);
        if (url == null || url.isBlank()) throw new CliException("no server: give --server URL or set " + SERVER_ENV);
        URI base;
        try {
            base = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new CliException("--server: '" + url + "' is not a URL");
        }
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
            throw new CliException("--server: '" + url + "' is not an http(s) URL");
        }
        return ModelyardClient.builder(base).token(token(context)).build();
    }

    private String token(Main.Context context) throws CliException {
        if (tokenFile != null) {
            String first = new String(Io.read(tokenFile), StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (first.isEmpty()) throw new CliException(tokenFile + ": the first line (the API token) is empty");
            return first;
        }
        String value = context.env().apply(TOKEN_ENV);
        if (value == null || value.isBlank()) throw new CliException("no API token: give --token-file FILE or set " + TOKEN_ENV);
        return value.strip();
    }

    /** Prints an answer as JSON, the form scripts read. */
    static void print(Main.Context context, Object value) throws Exception {
        context.out().println(JSON.writeValueAsString(value));
    }
}
