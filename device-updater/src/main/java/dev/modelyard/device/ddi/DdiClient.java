package dev.modelyard.device.ddi;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.device.download.Downloader;
import dev.modelyard.wire.ddi.CancelActionBase;
import dev.modelyard.wire.ddi.ConfigData;
import dev.modelyard.wire.ddi.ControllerBase;
import dev.modelyard.wire.ddi.DdiJson;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.json.WireJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A client of the Eclipse hawkBit Direct Device Integration API. It depends only on that API, so
 * it works against Modelyard and against a plain hawkBit server alike.
 *
 * <p>The messages go over {@link HttpURLConnection}, and the poll loop's JSON through
 * {@link DdiJson}: an idle device that polls a plain-HTTP server then loads neither the JDK's
 * asynchronous HTTP client (which sets up TLS and the system's trust store even for
 * {@code http://}) nor a JSON binding, hundreds of classes it would carry in memory for nothing.
 * TLS is set up when the server is {@code https://}; the binding when a deployment arrives. Large
 * artifacts go through the {@link Downloader} (resume, redirects without the token).
 */
public final class DdiClient {

    /** Signed metadata files are small; anything larger is refused unread. */
    static final int MAX_METADATA_BYTES = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final URI base;
    private final String authorization;
    private final Duration timeout;
    private String pollEtag;
    private ControllerBase lastPoll;

    /**
     * @param server        e.g. http://registry:8080
     * @param authorization {@code TargetToken <token>} or {@code GatewayToken <token>}
     * @param timeout       how long the server may leave a request unanswered (each read)
     */
    public DdiClient(URI server, String tenant, String controllerId, String authorization, Duration timeout) {
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

    /** The full JSON binding, loaded with the first message the light codec leaves to it (usually a deployment). */
    private static final class Binding {
        static final ObjectMapper JSON = WireJson.mapper();
    }

    /** The base poll; a 304 (nothing changed since the last poll) returns the previous answer. */
    public ControllerBase poll() throws IOException {
        Answer r = send("GET", base, null, pollEtag != null && lastPoll != null ? pollEtag : null, Integer.MAX_VALUE);
        if (r.status() == 304 && lastPoll != null) return lastPoll;
        expectSuccess(r);
        Optional<ControllerBase> light = DdiJson.readControllerBase(r.body());
        ControllerBase answer = light.isPresent() ? light.get() : read(r, ControllerBase.class);
        pollEtag = r.etag();
        lastPoll = answer;
        return answer;
    }

    public DeploymentBase deployment(String href) throws IOException {
        return read(get(URI.create(href)), DeploymentBase.class);
    }

    public CancelActionBase cancelAction(String href) throws IOException {
        return read(get(URI.create(href)), CancelActionBase.class);
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
        ConfigData body = new ConfigData(attributes, mode);
        Optional<byte[]> light = DdiJson.write(body);
        expectSuccess(send("PUT", URI.create(base + "/configData"), light.isPresent() ? light.get() : Binding.JSON.writeValueAsBytes(body),
                null, Integer.MAX_VALUE));
    }

    /** A small file of the deployment (the signed release metadata), read with a size cap. */
    public String smallFile(String href) throws IOException {
        Answer r = send("GET", URI.create(href), null, null, MAX_METADATA_BYTES + 1);
        if (r.status() != 200) throw new DdiException(r.status(), "GET " + href + " answered " + r.status());
        if (r.body().length > MAX_METADATA_BYTES) throw new DdiException(200, href + " is larger than " + MAX_METADATA_BYTES + " bytes");
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Downloads an artifact with the device's credentials, resuming a partial file; returns the file's SHA-256. */
    public byte[] download(Downloader downloader, String href, Path part, long size, Downloader.Progress progress) throws IOException {
        return downloader.download(URI.create(href), Map.of("Authorization", authorization), part, size, progress);
    }

    private void post(URI uri, Feedback feedback) throws IOException {
        Optional<byte[]> light = DdiJson.write(feedback);
        expectSuccess(send("POST", uri, light.isPresent() ? light.get() : Binding.JSON.writeValueAsBytes(feedback), null, Integer.MAX_VALUE));
    }

    private Answer get(URI uri) throws IOException {
        return send("GET", uri, null, null, Integer.MAX_VALUE);
    }

    /** An answer read whole (at most {@code maxBody} bytes of its body). */
    private record Answer(String method, URI uri, int status, byte[] body, String etag) {
    }

    /**
     * One request. Redirects are not followed (as before, with the JDK's HTTP client): a DDI
     * server answers in place, and the token must not go anywhere else.
     */
    private Answer send(String method, URI uri, byte[] body, String ifNoneMatch, int maxBody) throws IOException {
        HttpURLConnection c = connect(method, uri);
        c.setRequestProperty("Authorization", authorization);
        c.setRequestProperty("Accept", "application/hal+json");
        if (ifNoneMatch != null) c.setRequestProperty("If-None-Match", ifNoneMatch);
        if (body != null) {
            c.setRequestProperty("Content-Type", "application/json");
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
        }
        reach(c, uri);
        if (body != null) {
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = status(c);
        byte[] bytes;
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            // Read to the end (within the cap): a connection read whole is kept for the next poll.
            bytes = in == null ? new byte[0] : in.readNBytes(maxBody);
        }
        return new Answer(method, uri, status, bytes, c.getHeaderField("ETag"));
    }

    /** A connection not yet opened: no proxy, as the JDK's HTTP client had none configured either. */
    private HttpURLConnection connect(String method, URI uri) throws IOException {
        HttpURLConnection c;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection(java.net.Proxy.NO_PROXY);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IOException(uri + " is not an http or https URL the device can fetch", e);
        }
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        return c;
    }

    private static void reach(HttpURLConnection c, URI uri) throws IOException {
        try {
            c.connect();
        } catch (java.net.ConnectException | java.net.SocketTimeoutException | java.net.UnknownHostException
                 | java.net.NoRouteToHostException e) {
            // The JDK's messages here are often terse: say what was tried and what to check.
            throw new IOException("cannot reach the server at " + uri.getScheme() + "://" + uri.getAuthority() + " ("
                    + describe(e) + "): check server.url in the configuration, the network, and that the server is running", e);
        }
    }

    /**
     * The status code. With a request body sent in streaming mode the JDK cannot answer an
     * authentication challenge and throws instead: that is the server's 401 all the same.
     */
    private static int status(HttpURLConnection c) throws IOException {
        try {
            return c.getResponseCode();
        } catch (java.net.HttpRetryException e) {
            return e.responseCode();
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage() == null || e.getMessage().isBlank() ? null : e.getMessage();
        if (m == null && e.getCause() != null && e.getCause().getMessage() != null) m = e.getCause().getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static <T> T read(Answer r, Class<T> type) throws IOException {
        expectSuccess(r);
        try {
            return Binding.JSON.readValue(r.body(), type);
        } catch (IOException e) {
            throw new DdiException(r.status(), r.uri() + " answered a body that is not a " + type.getSimpleName()
                    + ": " + e.getMessage());
        }
    }

    private static void expectSuccess(Answer r) throws DdiException {
        if (r.status() / 100 == 2) return;
        String what = r.method() + " " + r.uri() + " answered " + r.status();
        String hint = switch (r.status()) {
            case 401, 403 -> ": the server does not accept this device's token; check token, token.file or gateway.token in the"
                    + " configuration against the token the server issued when the device was registered (POST /api/v1/devices;"
                    + " it is shown once; POST /api/v1/devices/{id}/token issues a new one)";
            case 404 -> ": check server.url, tenant and controller.id in the configuration (is the device registered?)";
            default -> "";
        };
        throw new DdiException(r.status(), what + hint);
    }
}
