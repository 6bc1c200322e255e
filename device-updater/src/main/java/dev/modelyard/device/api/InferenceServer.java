package dev.modelyard.device.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.modelyard.device.runtime.InferenceException;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.runtime.Tensor;
import dev.modelyard.wire.trust.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device's local inference API, for the applications on the device:
 * <ul>
 *   <li>{@code GET /v1/models}: what is served, with inputs and outputs;</li>
 *   <li>{@code POST /v1/models/{name}/infer} with JSON {@code {"inputs":{"x":{"dtype":"float32","shape":[1,4],"data":[…]}}}};</li>
 *   <li>the same with {@code Content-Type: application/octet-stream} for large inputs: the raw
 *       little-endian elements of the model's single input, its shape in {@code Tensor-Shape: 1,3,224,224};
 *       the answer is the first output in the same form (its shape and type in headers);</li>
 *   <li>{@code GET /healthz}.</li>
 * </ul>
 * Errors are RFC 9457 problem documents.
 */
public final class InferenceServer implements AutoCloseable {

    private static final Pattern INFER = Pattern.compile("^/v1/models/([a-z0-9][a-z0-9._-]{0,62})/infer$");
    private static final Pattern ROLLBACK = Pattern.compile("^/v1/models/([a-z0-9][a-z0-9._-]{0,62})/rollback$");
    private static final String BINARY = "application/octet-stream";
    private static final long MAX_BODY = 512L * 1024 * 1024;

    private final ModelRuntime runtime;
    private final HttpServer server;
    private final ExecutorService workers;
    private volatile Rollback rollback;

    /** Rolls a model back to its previous version, returning the version now served. */
    public interface Rollback {
        String rollback(String model) throws Exception;
    }

    static {
        // The JDK server leaves Nagle's algorithm on: a response written as headers then body
        // waits for the client's delayed ACK, about 40 ms per request. Read once, when the first
        // server is created, so it is set here (unless the operator chose otherwise).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public InferenceServer(ModelRuntime runtime, InetSocketAddress address, int threads) throws IOException {
        this.runtime = runtime;
        this.server = HttpServer.create(address, 128);
        // Up to `threads` workers while requests come; an idle device keeps none of them (nor their stacks).
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "inference");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.workers = pool;
        server.setExecutor(workers);
        server.createContext("/", this::handle);
    }

    /** Enables {@code POST /v1/models/{name}/rollback}, accepted only from this machine. */
    public void onRollback(Rollback handler) {
        this.rollback = handler;
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            Matcher infer = INFER.matcher(path);
            Matcher rollbackPath = ROLLBACK.matcher(path);
            if (path.equals("/healthz") && ex.getRequestMethod().equals("GET")) {
                Map<String, Object> health = new LinkedHashMap<>();
                health.put("status", "UP");
                health.put("models", runtime.served().size());
                sendJson(ex, 200, plainJson(health));
            } else if (path.equals("/v1/models") && ex.getRequestMethod().equals("GET")) {
                sendJson(ex, 200, ModelJson.models(runtime.served()));
            } else if (infer.matches()) {
                if (!ex.getRequestMethod().equals("POST")) {
                    problem(ex, 405, "use POST to run inference");
                } else {
                    infer(ex, infer.group(1));
                }
            } else if (rollbackPath.matches() && rollback != null && ex.getRequestMethod().equals("POST")) {
                if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
                    problem(ex, 403, "rollback is accepted from this machine only");
                } else {
                    rollback(ex, rollbackPath.group(1));
                }
            } else {
                problem(ex, 404, "no such resource: " + path);
            }
        } catch (BadRequest e) {
            problem(ex, e.status, e.getMessage());
        } catch (RuntimeException e) {
            problem(ex, 500, "inference failed: " + e.getMessage());
        } finally {
            ex.close();
        }
    }

    private void rollback(HttpExchange ex, String model) throws IOException {
        try {
            String version = rollback.rollback(model);
            sendJson(ex, 200, ModelJson.rolledBack(model, version));
        } catch (Exception e) {
            problem(ex, 409, e.getMessage());
        }
    }

    private void infer(HttpExchange ex, String model) throws IOException {
        String type = contentType(ex);
        boolean binary = type.equals(BINARY);
        if (!binary && !type.equals("application/json")) {
            throw new BadRequest(415, "send application/json, or application/octet-stream with Tensor-Shape");
        }
        byte[] body = readBody(ex.getRequestBody());
        Map<String, Tensor> inputs;
        if (binary) {
            ModelRuntime.ModelInfo info = runtime.info(model).orElseThrow(() -> new BadRequest(404, "no model named '" + model + "' is served"));
            if (info.inputs().size() != 1) throw new BadRequest(400, "the binary form needs a model with exactly one input");
            ModelRuntime.TensorSpec in = info.inputs().get(0);
            inputs = Map.of(in.name(), fromBytes(in.dtype(), shapeHeader(ex), body));
        } else {
            inputs = ModelJson.inputs(body);
        }
        ModelRuntime.Result r;
        try {
            r = runtime.infer(model, inputs);
        } catch (InferenceException e) {
            throw new BadRequest(e.kind() == InferenceException.Kind.UNKNOWN_MODEL ? 404 : e.kind() == InferenceException.Kind.BAD_INPUT ? 400 : 500,
                    e.getMessage());
        }
        if (binary && !accepts(ex, "application/json")) {
            Map.Entry<String, Tensor> first = r.outputs().entrySet().iterator().next();
            ex.getResponseHeaders().set("Content-Type", BINARY);
            ex.getResponseHeaders().set("Model-Version", r.version());
            ex.getResponseHeaders().set("Tensor-Name", first.getKey());
            ex.getResponseHeaders().set("Tensor-Dtype", first.getValue().dtype());
            ex.getResponseHeaders().set("Tensor-Shape", join(first.getValue().shape()));
            byte[] out = toBytes(first.getValue());
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            return;
        }
        sendJson(ex, 200, ModelJson.answer(model, r.version(), r.outputs()));
    }

    static Tensor fromBytes(String dtype, long[] shape, byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        try {
            return switch (dtype) {
                case "float32" -> {
                    float[] a = new float[body.length / 4];
                    b.asFloatBuffer().get(a);
                    yield checked(body.length % 4, new Tensor(dtype, shape, a));
                }
                case "float64" -> {
                    double[] a = new double[body.length / 8];
                    b.asDoubleBuffer().get(a);
                    yield checked(body.length % 8, new Tensor(dtype, shape, a));
                }
                case "int64" -> {
                    long[] a = new long[body.length / 8];
                    b.asLongBuffer().get(a);
                    yield checked(body.length % 8, new Tensor(dtype, shape, a));
                }
                case "int32" -> {
                    int[] a = new int[body.length / 4];
                    b.asIntBuffer().get(a);
                    yield checked(body.length % 4, new Tensor(dtype, shape, a));
                }
                case "int8", "uint8" -> new Tensor(dtype, shape, body);
                default -> throw new BadRequest(400, "the binary form does not support " + dtype);
            };
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "body does not match Tensor-Shape: " + e.getMessage());
        }
    }

    private static Tensor checked(int remainder, Tensor t) {
        if (remainder != 0) throw new BadRequest(400, "body length is not a whole number of " + t.dtype() + " elements");
        return t;
    }

    static byte[] toBytes(Tensor t) {
        Object d = t.data();
        ByteBuffer b;
        if (d instanceof float[] a) {
            b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(a);
        } else if (d instanceof double[] a) {
            b = ByteBuffer.allocate(a.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asDoubleBuffer().put(a);
        } else if (d instanceof long[] a) {
            b = ByteBuffer.allocate(a.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(a);
        } else if (d instanceof int[] a) {
            b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(a);
        } else if (d instanceof byte[] a) {
            return a;
        } else {
            boolean[] a = (boolean[]) d;
            byte[] out = new byte[a.length];
            for (int i = 0; i < a.length; i++) out[i] = (byte) (a[i] ? 1 : 0);
            return out;
        }
        return b.array();
    }

    private static long[] shapeHeader(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Tensor-Shape");
        if (h == null) throw new BadRequest(400, "the binary form needs a Tensor-Shape header, e.g. 1,3,224,224");
        try {
            return Arrays.stream(h.split(",")).map(String::strip).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "Tensor-Shape: '" + h + "' is not a comma-separated list of sizes");
        }
    }

    private static String join(long[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ",").append(shape[i]);
        return sb.toString();
    }

    private static String contentType(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Content-Type");
        return h == null ? "application/json" : h.split(";")[0].strip().toLowerCase(Locale.ROOT);
    }

    private static boolean accepts(HttpExchange ex, String type) {
        String h = ex.getRequestHeaders().getFirst("Accept");
        return h != null && h.contains(type);
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BODY + 1));
        if (body.length > MAX_BODY) throw new BadRequest(413, "request body is larger than " + MAX_BODY + " bytes");
        return body;
    }

    private static void sendJson(HttpExchange ex, int status, byte[] out) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    private static void problem(HttpExchange ex, int status, String detail) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("status", status);
        problem.put("detail", detail);
        byte[] out = plainJson(problem);
        ex.getResponseHeaders().set("Content-Type", "application/problem+json");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
    }

    /** Strings and integers as JSON; a string the strict writer refuses (a lone surrogate) goes through the binding. */
    private static byte[] plainJson(Map<String, Object> fields) throws IOException {
        try {
            return CanonicalJson.toCompactString(fields).getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return ModelJson.write(fields);
        }
    }

    /** A request the client must change. */
    static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    public void close() {
        server.stop(1);
        workers.shutdownNow();
    }
}
