package dev.modelyard.server.http;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Sends every operation of the committed OpenAPI document (docs/openapi/openapi.json) mutated
 * paths, queries, bodies and headers, as admin and anonymously, over raw HTTP/1.1 (so that what
 * no HTTP client library would send, such as a broken percent-encoding or a control character in
 * a header, is sent too). It fails on any 5xx, any error of the management API that is not
 * problem+json with a {@code code} (on hawkBit's {@code /rest/v1}: not hawkBit's error JSON), and any request unanswered after {@value #TIMEOUT_MS} ms; all
 * failures are collected and reported together, each as a curl command that reproduces it.
 * <p>
 * Deterministic: the random choices come from a seeded generator; the seed is printed and can be
 * given with {@code -Dfuzz.seed=<n>}. Bounded: a few thousand requests.
 * <p>
 * Its requests carry {@value ObservedResponses#SKIP_HEADER}, so {@link ObservedResponses} does not
 * record them for {@link ApiContractCheck}: the contract check is about the statuses operations
 * answer to meaningful requests, each documented with what it means for that operation; the
 * fuzzer's requests are mostly refused before or around the resource (400, 401, 404, 405, 406,
 * 413, 414, 415, 431, all problem+json with a code: that is what this test checks), and which of
 * those statuses a garbage request happens to reach on which operation says nothing a client of
 * that operation needs.
 */
@QuarkusTest
class OpenApiFuzzTest {

    static final int TIMEOUT_MS = 60_000;
    private static final Path DOCUMENT = Path.of("..", "docs", "openapi", "openapi.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VERBS = List.of("get", "head", "post", "put", "patch", "delete");

    /** Mutations of one path segment, already percent-encoded as sent. */
    private static final List<String> SEGMENTS = List.of(
            "%00", "a%00b", "dev-a%00", "%01x", "x%7F", "%0A", "%zz", "%", "%C3%28", "%FF%FE", "%E2%82",
            "..", "%2e%2e", "a%2Fb", "-1", "0", "99999999999999999999", "2147483648", "null", "%20",
            "%F0%9F%98%80", "%C3%BC%E2%82%AC", "a{b}", "a|b^c", "a\"b", "x".repeat(300), "x".repeat(5000), "%EF%BF%BF", "%ED%A0%80");
    /** Query values, as sent. */
    private static final List<String> QUERY_VALUES = List.of(
            "%00", "a%00", "%zz", "abc", "-1", "0", "2147483648", "-2147483649", "99999999999999999999",
            "107374183", "1e9", "", "x".repeat(3000), "%C3%28", "true", "%0D%0A", "+", "a%26b");
    private static final List<String> AUTH = List.of(
            "", "Bearer", "Bearer ", "Bearer x", "Basic Zm9vOmJhcg==", "Bearer " + "a".repeat(5000),
            "TargetToken x", "GatewayToken x", "bearer " + TestServer.ADMIN_TOKEN + "x", "Bearer \u0001");
    private static final List<Map.Entry<String, String>> HEADERS = List.of(
            Map.entry("Range", "bytes=abc"), Map.entry("Range", "bytes=99999999999999999999-"),
            Map.entry("Range", "bytes=-0"), Map.entry("Range", "bytes=5-1"), Map.entry("Range", "bytes=0-0,1-1"),
            Map.entry("If-Range", "garbage"), Map.entry("If-None-Match", "\""), Map.entry("If-None-Match", "*"),
            Map.entry("Content-Digest", "garbage"), Map.entry("Content-Digest", "sha-256=:!!:"),
            Map.entry("Content-Digest", "sha-512=:AAAA:"), Map.entry("Upload-Offset", "-1"),
            Map.entry("Upload-Offset", "abc"), Map.entry("Upload-Offset", "99999999999999999999"),
            Map.entry("Modelyard-Signature", "garbage"), Map.entry("Modelyard-Signature", "keyid=" + "0".repeat(64) + ", sig=!!"),
            Map.entry("Accept", "application/xml"), Map.entry("Accept", "garbage"), Map.entry("Content-Type", "text/plain"),
            Map.entry("Content-Type", "garbage"), Map.entry("X-Huge", "h".repeat(30_000)),
            Map.entry("X-Control", "a\u0001b"), Map.entry("Accept-Encoding", "\u0000"),
            Map.entry("Content-Length", "-1"), Map.entry("Transfer-Encoding", "garbage"));

    private final Random random = new Random(seed());
    private final List<String> failures = new ArrayList<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private int sent;
    /** Requests the HTTP codec refused before the application saw them (see {@link #unparseable}). */
    private int codecRefusals;
    private JsonNode document;

    private static long seed() {
        String given = System.getProperty("fuzz.seed");
        return given != null ? Long.parseLong(given) : 20261201L;
    }

    @Test
    void noRequestGetsA5xxAnEmptyErrorOrNoAnswer() throws IOException {
        System.out.println("OpenApiFuzzTest: seed " + seed() + " (rerun with -Dfuzz.seed=" + seed() + ")");
        document = JSON.readTree(DOCUMENT.toFile());
        setUp();
        List<String> profilesBefore = profiles();
        List<String[]> operations = operations();
        for (String[] op : operations) fuzz(op[0], op[1], document.path("paths").path(op[1]).path(op[0].toLowerCase(Locale.ROOT)));
        // Tests share the server: a profile a fuzzed body happened to create would convert every
        // version other tests publish later. Devices, tokens and models it made are harmless.
        for (String name : profiles()) {
            if (!profilesBefore.contains(name)) Api.admin().delete("/api/v1/conversion/profiles/{n}", name).then().statusCode(204);
        }
        System.out.println("OpenApiFuzzTest: " + sent + " requests on " + operations.size() + " operations, "
                + failures.size() + " failures, " + codecRefusals + " refused by the HTTP codec without a body");
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + sent + " fuzz requests failed (seed " + seed() + "):\n" + String.join("\n\n", failures));
        }
    }

    /** Real data, so that paths resolve and the mutations reach the resources' own checks. */
    private void setUp() {
        String model = Api.modelWithArtifact("fuzz", "1.0.0", Api.onnxModel(1));
        String artifact = Api.admin().get("/api/v1/models/{m}/versions/1.0.0/artifacts", model)
                .then().statusCode(200).extract().path("items[0].id");
        String device = Api.uniqueName("fuzz-dev");
        Api.admin().contentType(ContentType.JSON).body(Map.of("controllerId", device))
                .post("/api/v1/devices").then().statusCode(201);
        values.put("model", model);
        values.put("version", "1.0.0");
        values.put("artifact", artifact);
        values.put("filename", "model.onnx");
        values.put("controllerId", device);
        values.put("tenant", "default");
        values.put("alias", "prod");
        values.put("name", "fuzz-profile");
    }

    private static List<String> profiles() {
        return Api.admin().get("/api/v1/conversion/profiles").then().statusCode(200).extract().jsonPath().getList("name");
    }

    /** Every operation; deletions last, deepest first, so they do not remove what the others use. */
    private List<String[]> operations() {
        List<String[]> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (String verb : VERBS) {
                if (path.getValue().has(verb)) out.add(new String[] {verb.toUpperCase(Locale.ROOT), path.getKey()});
            }
        }
        out.sort(Comparator.<String[], Boolean>comparing(o -> o[0].equals("DELETE"))
                .thenComparing(o -> o[0].equals("DELETE") ? -o[1].length() : 0));
        return out;
    }

    private void fuzz(String method, String template, JsonNode op) {
        List<String> pathParams = new ArrayList<>();
        List<String> queryParams = new ArrayList<>();
        List<String> headerParams = new ArrayList<>();
        for (JsonNode p : op.path("parameters")) {
            switch (p.path("in").asText()) {
                case "path" -> pathParams.add(p.path("name").asText());
                case "query" -> queryParams.add(p.path("name").asText());
                case "header" -> headerParams.add(p.path("name").asText());
                default -> { }
            }
        }
        boolean device = template.startsWith("/{tenant}");
        String bodyType = bodyType(op);
        String validBody = bodyType != null && bodyType.contains("json") ? JSON.valueToTree(example(schema(op, bodyType), 0)).toString() : "";
        boolean destructive = method.equals("DELETE");

        // as each caller, unchanged (not for deletions: they would remove the data the rest uses)
        if (!destructive) {
            for (String auth : List.of(credentials(device), "")) {
                send(method, path(template, null, null), "", auth, bodyType, validBody, Map.of());
            }
        }
        // each path parameter mutated
        for (String param : pathParams) {
            for (String segment : some(SEGMENTS, 12)) {
                send(method, path(template, param, segment), "", caller(device), bodyType, validBody, Map.of());
            }
        }
        if (destructive) return;
        // query parameters: each documented one with odd values, and an unknown one
        for (String param : queryParams) {
            for (String value : some(QUERY_VALUES, 7)) {
                send(method, path(template, null, null), param + "=" + value, caller(device), bodyType, validBody, Map.of());
            }
        }
        send(method, path(template, null, null), "zz%00=1", caller(device), bodyType, validBody, Map.of());
        send(method, path(template, null, null), "unknownParam=1&page=1", caller(device), bodyType, validBody, Map.of());
        // headers: credentials, then the headers operations read, and garbage
        for (String auth : some(AUTH, 5)) send(method, path(template, null, null), "", auth, bodyType, validBody, Map.of());
        for (Map.Entry<String, String> h : some(HEADERS, 12)) {
            if (h.getKey().equals("Content-Type")) {
                send(method, path(template, null, null), "", caller(device), h.getValue(), validBody, Map.of());
            } else {
                send(method, path(template, null, null), "", caller(device), bodyType, validBody, Map.of(h.getKey(), h.getValue()));
            }
        }
        for (String h : headerParams) {
            send(method, path(template, null, null), "", caller(device), bodyType, validBody, Map.of(h, "%00\u0002garbage"));
        }
        if (bodyType != null) bodies(method, path(template, null, null), op, bodyType, device);
    }

    /** Malformed JSON, wrong types per field, nulls, huge strings, deep nesting, control characters. */
    private void bodies(String method, String path, JsonNode op, String type, boolean device) {
        String auth = credentials(device);
        List<String> raw = new ArrayList<>(List.of("", "{", "}", "[", "{\"a\":", "nul", "null", "[]", "{}", "\"x\"",
                "1", "{\"a\":1,}", "\u0000", "{\"a\u0001\":1}", "[".repeat(600) + "]".repeat(600),
                "{\"a\":" + "{\"b\":".repeat(300) + "1" + "}".repeat(301), "\"" + "x".repeat(2_000_000) + "\"",
                "\uFEFF{}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\u0000\"}", "{\"a\":1e999999}", "{\"a\":" + "9".repeat(2000) + "}"));
        for (String body : some(raw, 14)) send(method, path, "", auth, type, body, Map.of());
        if (!type.contains("json")) return;
        Object valid = example(schema(op, type), 0);
        if (!(valid instanceof Map<?, ?> fields)) return;
        List<Object> wrong = List.of(List.of("x"), Map.of("a", 1), 12345678901234567L, new java.math.BigInteger("9".repeat(40)),
                true, -1, 1.5, "", "a\u0000b", "a\u0007b", "\uD800", "x".repeat(70_000), "../../etc/passwd", "%00",
                List.of(List.of(List.of(Map.of()))));
        for (Object key : fields.keySet()) {
            List<Object> choices = new ArrayList<>(some(wrong, 6));
            choices.add(null);
            for (Object w : choices) {
                Map<Object, Object> body = new LinkedHashMap<>(fields);
                body.put(key, w);
                send(method, path, "", auth, type, JSON.valueToTree(body).toString(), Map.of());
            }
        }
    }

    // ---- request shapes -------------------------------------------------------------------------------------------

    /** {@code n} of the items, chosen by the seeded generator, in their order. */
    private <T> List<T> some(List<T> items, int n) {
        List<T> copy = new ArrayList<>(items);
        java.util.Collections.shuffle(copy, random);
        List<T> chosen = copy.subList(0, Math.min(n, copy.size()));
        return items.stream().filter(chosen::contains).toList();
    }

    private String credentials(boolean device) {
        return device ? "GatewayToken " + TestServer.GATEWAY_TOKEN : "Bearer " + TestServer.ADMIN_TOKEN;
    }

    /** Mostly the valid credentials (so the mutation reaches the resource), sometimes none. */
    private String caller(boolean device) {
        return random.nextInt(5) == 0 ? "" : credentials(device);
    }

    private String path(String template, String mutated, String segment) {
        String out = template;
        for (Map.Entry<String, String> v : values.entrySet()) {
            out = out.replace("{" + v.getKey() + "}", v.getKey().equals(mutated) ? segment : encode(v.getValue()));
        }
        if (mutated != null) out = out.replace("{" + mutated + "}", segment);
        return out.replaceAll("\\{[^}]+}", "1");
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String bodyType(JsonNode op) {
        Iterator<String> types = op.path("requestBody").path("content").fieldNames();
        String first = null;
        while (types.hasNext()) {
            String t = types.next();
            if (first == null || t.contains("merge-patch")) first = t;
        }
        return first;
    }

    private JsonNode schema(JsonNode op, String type) {
        return resolve(op.path("requestBody").path("content").path(type).path("schema"));
    }

    private JsonNode resolve(JsonNode schema) {
        for (int i = 0; i < 10 && schema.has("$ref"); i++) {
            String[] ref = schema.path("$ref").asText().split("/");
            schema = document.path("components").path("schemas").path(ref[ref.length - 1]);
        }
        if (schema.has("allOf") && schema.path("allOf").size() > 0) return resolve(schema.path("allOf").get(0));
        return schema;
    }

    /** A value the schema allows, roughly: enough for the mutations around it to reach the resource. */
    private Object example(JsonNode schema, int depth) {
        schema = resolve(schema);
        if (schema.has("enum")) return JSON.convertValue(schema.path("enum").get(0), Object.class);
        String type = schema.path("type").isArray() ? schema.path("type").get(0).asText() : schema.path("type").asText("object");
        switch (type) {
            case "string":
                return "fuzz-" + random.nextInt(1_000_000);
            case "integer":
                return 1;
            case "number":
                return 1.5;
            case "boolean":
                return true;
            case "array":
                return depth > 4 ? List.of() : List.of(example(schema.path("items"), depth + 1));
            default:
                Map<String, Object> out = new LinkedHashMap<>();
                if (depth > 4) return out;
                for (Iterator<Map.Entry<String, JsonNode>> p = schema.path("properties").fields(); p.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = p.next();
                    out.put(e.getKey(), example(e.getValue(), depth + 1));
                }
                return out;
        }
    }

    // ---- raw HTTP/1.1 -------------------------------------------------------------------------------------------

    /** A raw HTTP answer; header names lower-case. */
    record Answer(int status, Map<String, String> headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private void send(String method, String path, String query, String auth, String contentType, String body,
                      Map<String, String> headers) {
        String target = path + (query.isEmpty() ? "" : "?" + query);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "localhost:" + RestAssured.port);
        if (!auth.isEmpty()) h.put("Authorization", auth);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean withBody = contentType != null;
        if (withBody) h.put("Content-Type", contentType);
        h.putAll(headers);
        h.put(ObservedResponses.SKIP_HEADER, "1");
        if (withBody && !h.containsKey("Content-Length") && !h.containsKey("Transfer-Encoding")) {
            h.put("Content-Length", Integer.toString(bytes.length));
        }
        h.put("Connection", "close");
        sent++;
        String problem;
        Answer answer = null;
        try {
            answer = exchange(method, target, h, withBody ? bytes : new byte[0]);
            problem = judge(method, path, answer);
            if (problem != null && (unparseable(headers) || unparseable(Map.of("Authorization", auth))) && answer.status() == 400 && answer.body().length == 0) {
                codecRefusals++;
                problem = null;
            }
        } catch (SocketTimeoutException e) {
            problem = "no answer within " + TIMEOUT_MS + " ms";
        } catch (IOException e) {
            // The server may close the connection on a request it cannot parse at all (e.g. a
            // negative Content-Length); that is an answer, not a failure, as long as it is not a hang.
            problem = null;
        }
        if (problem != null) {
            failures.add(method + " " + target + " → " + problem + (answer == null ? "" : " "
                    + new String(answer.body(), 0, Math.min(400, answer.body().length), StandardCharsets.UTF_8))
                    + "\n  " + curl(method, target, h, withBody ? body : null));
        }
    }

    /**
     * Whether the HTTP codec itself refuses the request: a header value with a control character, or
     * a Content-Length or Transfer-Encoding it cannot frame the body with. Such a request never
     * becomes a request object, so the server cannot answer it with a problem body (a limit of the
     * HTTP layer documented in docs/api-errors.md); its bodyless 400 is accepted, and counted.
     */
    private static boolean unparseable(Map<String, String> headers) {
        if (headers.containsKey("Content-Length") || headers.containsKey("Transfer-Encoding")) return true;
        return headers.values().stream().anyMatch(v -> v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f));
    }

    /** Null when the answer is acceptable, else what is wrong with it. */
    private static String judge(String method, String path, Answer a) {
        if (a.status() >= 500) return "status " + a.status();
        if (a.status() < 400 || method.equals("HEAD")) return null;
        if (path.equals(HAWKBIT_MGMT) || path.startsWith(HAWKBIT_MGMT + "/")) return judgeHawkbit(a);
        if (!RequestShape.isManagementApi(path)) return null;
        String type = a.headers().getOrDefault("content-type", "");
        if (!type.startsWith(Problem.MEDIA_TYPE)) return "status " + a.status() + " with Content-Type '" + type + "', not problem+json";
        try {
            JsonNode problem = JSON.readTree(a.body());
            if (!problem.path("code").isTextual()) return "status " + a.status() + " problem without a code";
            if (problem.path("status").asInt() != a.status()) return "status " + a.status() + " but the problem says " + problem.path("status");
            if (problem.path("detail").asText("").isBlank()) return "status " + a.status() + " problem without a detail";
        } catch (IOException e) {
            return "status " + a.status() + " with a body that is not JSON";
        }
        return null;
    }

    private static final String HAWKBIT_MGMT = "/rest/v1";

    /** hawkBit's Management API answers errors with hawkBit's body: exceptionClass, errorCode, message. */
    private static String judgeHawkbit(Answer a) {
        String type = a.headers().getOrDefault("content-type", "");
        if (!type.startsWith("application/json")) return "status " + a.status() + " with Content-Type '" + type + "', not hawkBit's JSON";
        try {
            JsonNode error = JSON.readTree(a.body());
            if (!error.path("exceptionClass").isTextual()) return "status " + a.status() + " error without an exceptionClass";
            // hawkBit sends no errorCode for authentication failures and unsupported methods.
            if (a.status() != 401 && a.status() != 405 && !error.path("errorCode").isTextual()) {
                return "status " + a.status() + " error without an errorCode";
            }
            if (error.path("message").asText("").isBlank()) return "status " + a.status() + " error without a message";
        } catch (IOException e) {
            return "status " + a.status() + " with a body that is not JSON";
        }
        return null;
    }

    /** Sends exactly this request (target and headers as given, unencoded) and reads the whole answer. */
    static Answer exchange(String method, String target, Map<String, String> headers, byte[] body) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            try {
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // the server answered (and closed) before reading the whole body: read the answer
            }
            return read(socket.getInputStream(), method.equals("HEAD"));
        }
    }

    private static Answer read(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) >= 0) {
            all.write(buf, 0, n);
            // An event stream that has begun (status and headers sent) has answered: it stays open by design.
            if (isEventStream(all.toByteArray())) break;
            if (System.nanoTime() > deadline) throw new SocketTimeoutException("answer still streaming");
        }
        byte[] bytes = all.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) throw new IOException("no complete answer: " + text);
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        if (headers.getOrDefault("content-type", "").startsWith("text/event-stream")) body = new byte[0];
        else if (!head && "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) body = dechunk(body);
        return new Answer(status, headers, body);
    }

    private static boolean isEventStream(byte[] sofar) {
        String text = new String(sofar, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        return end > 0 && text.startsWith("HTTP/1.1 200") && text.substring(0, end).toLowerCase(Locale.ROOT).contains("content-type: text/event-stream");
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < chunked.length) {
            int eol = i;
            while (eol + 1 < chunked.length && !(chunked[eol] == '\r' && chunked[eol + 1] == '\n')) eol++;
            String size = new String(chunked, i, eol - i, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int len = size.isEmpty() ? 0 : Integer.parseInt(size, 16);
            if (len == 0) break;
            out.write(chunked, eol + 2, Math.min(len, chunked.length - eol - 2));
            i = eol + 2 + len + 2;
        }
        return out.toByteArray();
    }

    // ---- reproduction -------------------------------------------------------------------------------------------

    private static String curl(String method, String target, Map<String, String> headers, String body) {
        StringBuilder c = new StringBuilder();
        if (body != null) c.append("printf ").append(format(body)).append(" | ");
        c.append("curl -sS -i --path-as-is -g -X ").append(method);
        headers.forEach((k, v) -> {
            if (!k.equals("Host") && !k.equals("Connection") && !k.equals("Content-Length")) c.append(" -H ").append(quote(k + ": " + v));
            if (k.equals("Content-Length") && body == null) c.append(" -H ").append(quote(k + ": " + v));
        });
        if (body != null) c.append(" --data-binary @-");
        c.append(" ").append(quote("http://localhost:8080" + target));
        String s = c.toString();
        return s.length() > 3000 ? s.substring(0, 3000) + "… (" + s.length() + " characters; rerun with the seed to get it whole)" : s;
    }

    /** A printf format printing exactly {@code s} (NUL too, which no shell word can hold). */
    private static String format(String s) {
        StringBuilder out = new StringBuilder("'");
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '%') out.append("%%");
            else if (c == '\\') out.append("\\\\");
            else if (c == '\'') out.append("'\\''");
            else if (c < 0x20 || c >= 0x7f) out.append(String.format("\\x%02x", c));
            else out.append((char) c);
        }
        return out.append('\'').toString();
    }

    /** A bash $'…' word: what does not print is escaped, so the command is exact. */
    private static String quote(String s) {
        StringBuilder out = new StringBuilder("$'");
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '\'' || c == '\\') out.append('\\').append((char) c);
            else if (c < 0x20 || c >= 0x7f) out.append(String.format("\\x%02x", c));
            else out.append((char) c);
        }
        return out.append('\'').toString();
    }
}
