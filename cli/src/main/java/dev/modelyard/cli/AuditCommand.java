package dev.modelyard.cli;

import dev.modelyard.wire.audit.AuditChain;
import dev.modelyard.wire.audit.AuditEntry;
import dev.modelyard.wire.trust.CanonicalJson;
import dev.modelyard.wire.trust.JsonFormatException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Work with a server's audit trail.",
        subcommands = {AuditCommand.Verify.class})
final class AuditCommand {

    /** Exit codes of 'audit verify': the chain is intact, the chain is broken, the check could not be made. */
    static final int INTACT = 0;
    static final int BROKEN = 1;
    static final int ERROR = 2;

    @Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Fetch the audit trail of the token's tenant page by page and recompute its hash chain here, "
                    + "with the same code the server uses: a server that changed or dropped entries cannot hide it.",
                    "Exit code 0: intact; 1: broken (the first broken entry is printed); 2 or more: the check "
                            + "could not be made (server unreachable, token refused, …)."})
    static final class Verify implements Callable<Integer> {

        /** Entries per request: the API's largest page. */
        static final int PAGE_SIZE = 500;

        @Spec
        CommandSpec spec;

        @Option(names = "--server", required = true, paramLabel = "URL", description = "The server, e.g. https://modelyard.example.com")
        String server;

        @Option(names = "--token-file", required = true, paramLabel = "FILE",
                description = "A file whose first line is an API token allowed to read the audit trail.")
        Path tokenFile;

        @Override
        public Integer call() {
            Main.Context context = ((Main) spec.root().userObject()).context;
            try {
                return verify(context);
            } catch (Exception e) {
                context.err().println(Main.describe(e));
                return ERROR;
            }
        }

        private int verify(Main.Context context) throws Exception {
            String token = token();
            URI base = base();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            AuditChain.Verifier verifier = AuditChain.verifier();
            AuditEntry firstBroken = null;
            String tenant = null;
            for (int page = 0; ; page++) {
                Map<?, ?> body = fetch(http, base.resolve("/api/v1/audit?size=" + PAGE_SIZE + "&page=" + page), token);
                List<?> items = field(body, "items", List.class);
                for (Object item : items) {
                    AuditEntry entry = entry(item);
                    if (tenant == null) tenant = entry.tenant();
                    AuditChain.Broken before = verifier.result().firstBroken();
                    if (verifier.accept(entry) != null && before == null) firstBroken = entry;
                }
                if (items.size() < PAGE_SIZE || firstBroken != null) break;
            }
            AuditChain.Result result = verifier.result();
            String name = tenant == null ? "" : " of tenant '" + tenant + "'";
            if (result.intact()) {
                context.out().println("audit trail" + name + " intact: " + result.checked() + " entries checked");
                return INTACT;
            }
            context.out().println("audit trail" + name + " broken at entry " + result.firstBroken().seq() + ": "
                    + result.firstBroken().reason());
            context.out().println(CanonicalJson.toPrettyString(asJson(firstBroken)).strip());
            return BROKEN;
        }

        private String token() throws CliException {
            try {
                List<String> lines = Files.readAllLines(tokenFile, StandardCharsets.UTF_8);
                String token = lines.isEmpty() ? "" : lines.get(0).strip();
                if (token.isEmpty()) throw new CliException(tokenFile + ": the first line must hold the API token");
                return token;
            } catch (IOException e) {
                throw new CliException(tokenFile + ": cannot read the token file (" + Io.describe(e) + ")");
            }
        }

        private URI base() throws CliException {
            try {
                URI uri = URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                return uri;
            } catch (IllegalArgumentException e) {
                throw new CliException("--server: '" + server + "' is not an http(s) URL such as https://modelyard.example.com");
            }
        }

        private static Map<?, ?> fetch(HttpClient http, URI uri, String token) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json").GET().build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                String detail = problemDetail(response.body());
                throw new CliException(uri.getPath() + ": the server answered " + response.statusCode()
                        + (detail == null ? "" : " (" + detail + ")"));
            }
            try {
                if (CanonicalJson.parse(response.body()) instanceof Map<?, ?> map) return map;
            } catch (JsonFormatException e) {
                throw new CliException(uri.getPath() + ": the answer is not the audit list: " + e.getMessage());
            }
            throw new CliException(uri.getPath() + ": the answer is not a JSON object");
        }

        private static String problemDetail(byte[] body) {
            try {
                if (CanonicalJson.parse(body) instanceof Map<?, ?> m && m.get("detail") instanceof String d) return d;
            } catch (JsonFormatException e) {
                // not a problem document: the status says it all
            }
            return null;
        }

        /** An entry of the list, as the hash covers it. */
        static AuditEntry entry(Object item) throws CliException {
            if (!(item instanceof Map<?, ?> m)) throw new CliException("an audit entry is not a JSON object");
            try {
                return new AuditEntry(field(m, "tenant", String.class), field(m, "seq", Long.class),
                        AuditEntry.parseAt(field(m, "at", String.class)), optional(m, "actorId"),
                        field(m, "actorName", String.class), field(m, "action", String.class), optional(m, "targetType"),
                        optional(m, "targetId"), m.get("before"), m.get("after"), field(m, "outcome", Long.class).intValue(),
                        field(m, "requestId", String.class), optional(m, "source"), field(m, "prevHash", String.class),
                        field(m, "hash", String.class));
            } catch (DateTimeParseException e) {
                throw new CliException("audit entry " + m.get("seq") + ": 'at' is not a time: " + m.get("at"));
            }
        }

        private static Map<String, Object> asJson(AuditEntry e) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("seq", e.seq());
            m.put("at", AuditEntry.formatAt(e.at()));
            m.put("actorName", e.actorName());
            m.put("actorId", e.actorId());
            m.put("action", e.action());
            m.put("targetType", e.targetType());
            m.put("targetId", e.targetId());
            m.put("outcome", (long) e.outcome());
            m.put("requestId", e.requestId());
            m.put("source", e.source());
            m.put("before", e.before());
            m.put("after", e.after());
            m.put("prevHash", e.prevHash());
            m.put("hash", e.hash());
            return m;
        }

        private static <T> T field(Map<?, ?> m, String name, Class<T> type) throws CliException {
            Object v = m.get(name);
            if (!type.isInstance(v)) throw new CliException("audit list: '" + name + "' is missing or not a " + type.getSimpleName());
            return type.cast(v);
        }

        private static String optional(Map<?, ?> m, String name) throws CliException {
            Object v = m.get(name);
            if (v == null || v instanceof String) return (String) v;
            throw new CliException("audit list: '" + name + "' is not a string");
        }
    }
}
