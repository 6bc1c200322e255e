package dev.modelyard.device.ddi;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.device.download.Downloader;
import dev.modelyard.wire.ddi.CancelActionBase;
import dev.modelyard.wire.ddi.ConfigData;
import dev.modelyard.wire.ddi.ControllerBase;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.json.WireJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A client of the Eclipse hawkBit Direct Device Integration API. It depends only on that API, so
 * it works against Modelyard and against a plain hawkBit server alike.
 */
public final class DdiClient {

    /** Signed metadata files are small; anything larger is refused unread. */
    static final int MAX_METADATA_BYTES = 64 * 1024;

    private final HttpClient http;
    private final URI base;
    private final String authorization;
    private final Duration timeout;
    private final ObjectMapper json = WireJson.mapper();
    private String pollEtag;
    private ControllerBase lastPoll;

    /**
     * @param server       e.g. http://registry:8080
     * @param authorization {@code TargetToken <token>} or {@code GatewayToken <token>}
     */
    public DdiClient(HttpClient http, URI server, String tenant, String controllerId, String authorization, Duration timeout) {
        this.http = http;
        String s = server.toString().replaceAll("/+$", "");
        this.base = URI.create(s + "/" + tenant + "/controller/v1/" + controllerId);
        this.authorization = authorization;
        this.timeout = timeout;
    }

    /** An answer the device cannot use: an HTTP error or a body it cannot read. */
    public static final class DdiException extends IOException {
        private final int status;

        DdiException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** The base poll; a 304 (nothing changed since the last poll) returns the previous answer. */
    public ControllerBase poll() throws IOException {
        HttpRequest.Builder b = request(base).GET();
        if (pollEtag != null && lastPoll != null) b.header("If-None-Match", pollEtag);
        HttpResponse<byte[]> r = send(b.build());
        if (r.statusCode() == 304 && lastPoll != null) return lastPoll;
        ControllerBase answer = read(r, ControllerBase.class);
        pollEtag = r.headers().firstValue("ETag").orElse(null);
        lastPoll = answer;
        return answer;
    }

    public DeploymentBase deployment(String href) throws IOException {
        return read(send(request(URI.create(href)).GET().build()), DeploymentBase.class);
    }

    public CancelActionBase cancelAction(String href) throws IOException {
        return read(send(request(URI.create(href)).GET().build()), CancelActionBase.class);
    }

    public void deploymentFeedback(String actionId, Feedback feedback) throws IOException {
        post(URI.create(base + "/deploymentBase/" + actionId + "/feedback"), feedback);
    }

    public void cancelFeedback(String actionId, Feedback feedback) throws IOException {
        post(URI.create(base + "/cancelAction/" + actionId + "/feedback"), feedback);
    }

    /** Reports the device's attributes, merged into what the server holds (mode {@code merge}). */
    public void configData(Map<String, String> attributes) throws IOException {
        putConfigData(attributes, "merge");
    }

    /** Removes attributes by name from what the server holds (mode {@code remove}). */
    public void removeAttributes(java.util.Collection<String> keys) throws IOException {
        Map<String, String> named = new java.util.LinkedHashMap<>();
        keys.forEach(k -> named.put(k, ""));
        putConfigData(named, "remove");
    }

    private void putConfigData(Map<String, String> attributes, String mode) throws IOException {
        HttpRequest req = request(URI.create(base + "/configData"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(new ConfigData(attributes, mode)))).build();
        expectSuccess(send(req));
    }

    /** A small file of the deployment (the signed release metadata), read with a size cap. */
    public String smallFile(String href) throws IOException {
        try {
            HttpResponse<InputStream> r = http.send(request(URI.create(href)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) throw new DdiException(r.statusCode(), "GET " + href + " answered " + r.statusCode());
                byte[] bytes = in.readNBytes(MAX_METADATA_BYTES + 1);
                if (bytes.length > MAX_METADATA_BYTES) throw new DdiException(200, href + " is larger than " + MAX_METADATA_BYTES + " bytes");
                return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Downloads an artifact with the device's credentials, resuming a partial file; returns the file's SHA-256. */
    public byte[] download(Downloader downloader, String href, Path part, long size, Downloader.Progress progress) throws IOException {
        return downloader.download(URI.create(href), Map.of("Authorization", authorization), part, size, progress);
    }

    private void post(URI uri, Object body) throws IOException {
        HttpRequest req = request(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build();
        expectSuccess(send(req));
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(timeout).header("Authorization", authorization)
                .header("Accept", "application/hal+json");
    }

    private HttpResponse<byte[]> send(HttpRequest req) throws IOException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException | java.nio.channels.UnresolvedAddressException e) {
            // The JDK's messages here are often empty: say what was tried and what to check.
            throw new IOException("cannot reach the server at " + req.uri().getScheme() + "://" + req.uri().getAuthority() + " ("
                    + describe(e) + "): check server.url in the configuration, the network, and that the server is running", e);
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? null : e.getMessage();
        if (m == null && e.getCause() != null && e.getCause().getMessage() != null) m = e.getCause().getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private <T> T read(HttpResponse<byte[]> r, Class<T> type) throws IOException {
        expectSuccess(r);
        try {
            return json.readValue(r.body(), type);
        } catch (IOException e) {
            throw new DdiException(r.statusCode(), r.request().uri() + " answered a body that is not a " + type.getSimpleName()
                    + ": " + e.getMessage());
        }
    }

    private static void expectSuccess(HttpResponse<byte[]> r) throws DdiException {
        if (r.statusCode() / 100 == 2) return;
        String what = r.request().method() + " " + r.request().uri() + " answered " + r.statusCode();
        String hint = switch (r.statusCode()) {
            case 401, 403 -> ": the server does not accept this device's token; check token, token.file or gateway.token in the"
                    + " configuration against the token the server issued when the device was registered (POST /api/v1/devices;"
                    + " it is shown once; POST /api/v1/devices/{id}/token issues a new one)";
            case 404 -> ": check server.url, tenant and controller.id in the configuration (is the device registered?)";
            default -> "";
        };
        throw new DdiException(r.statusCode(), what + hint);
    }
}
