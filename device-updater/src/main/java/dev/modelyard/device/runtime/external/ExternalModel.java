package dev.modelyard.device.runtime.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.device.runtime.InferenceException;
import dev.modelyard.device.runtime.LoadedModel;
import dev.modelyard.device.runtime.ModelRuntime.TensorSpec;
import dev.modelyard.device.runtime.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * A model loaded in a worker process of its own. Owning the worker alone means a candidate that
 * crashes the runtime, or misses a deadline during warm-up or self-test, takes down only its own
 * process, never the version being served.
 *
 * <p>Runs are serialized: one request is in flight at a time, and its run timeout starts when it
 * is written, so waiting behind other requests under load never counts against the worker.
 *
 * <p>When the worker dies, the request in flight (or, when it died idle, the next one) fails with
 * FAILED, so the health window counts every death; the request after that starts a new worker and
 * loads the file again. Restarts are bounded: at most one attempt per {@link #RESTART_INTERVAL};
 * until the next is due, runs fail (FAILED) at once.
 */
final class ExternalModel implements LoadedModel {

    private static final Logger LOG = Logger.getLogger(ExternalModel.class.getName());
    /** At most one restart attempt per interval: a worker that keeps dying must not be respawned in a loop. */
    static final Duration RESTART_INTERVAL = Duration.ofSeconds(30);

    private final ExternalRuntimeSettings settings;
    private final Path file;
    private final int threads;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final Clock clock;
    /** One run in flight per worker; guards worker, id and the restart bookkeeping. */
    private final Object runLock = new Object();
    private volatile Worker worker;
    private String id;
    private Instant lastRestart;
    private String lastDeath;
    private boolean deathCounted;
    private volatile boolean closed;

    private ExternalModel(ExternalRuntimeSettings settings, Path file, int threads, Worker worker, Frame loaded, Clock clock) {
        this.settings = settings;
        this.file = file;
        this.threads = threads;
        this.worker = worker;
        this.id = loaded.header().path("model").asText();
        this.inputs = List.copyOf(specs(loaded.header().path("inputs")));
        this.outputs = List.copyOf(specs(loaded.header().path("outputs")));
        this.clock = clock;
    }

    /**
     * Starts a worker for the file and loads it there; the worker is stopped again when the load fails.
     *
     * @throws WorkerGone when the worker cannot start or dies or times out while loading
     * @throws WorkerError when the worker refuses the file
     */
    static ExternalModel load(ExternalRuntimeSettings settings, Path file, int threads, Clock clock) throws IOException, WorkerError {
        Worker w = Worker.start(settings);
        try {
            return new ExternalModel(settings, file, threads, w, loadInto(w, settings, file, threads), clock);
        } catch (IOException | WorkerError | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    private static Frame loadInto(Worker w, ExternalRuntimeSettings settings, Path file, int threads) throws IOException, WorkerError {
        // The worker answers results over this limit with an error rather than sending what the updater would refuse.
        ObjectNode request = Frame.JSON.createObjectNode().put("type", "load").put("path", file.toAbsolutePath().toString())
                .put("threads", threads).put("maxFrameBytes", settings.maxFrameBytes());
        return w.call(request, new byte[0], settings.loadTimeout());
    }

    /** The worker's process id, or -1 when it is not running (for operators and tests). */
    long workerPid() {
        Worker w = worker;
        return w != null && w.alive() ? w.pid() : -1;
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> given) throws InferenceException {
        ObjectNode header = Frame.JSON.createObjectNode().put("type", "run");
        ArrayNode tensors = header.putArray("tensors");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, Tensor> e : given.entrySet()) {
            byte[] bytes = TensorBytes.encode(e.getValue());
            ObjectNode t = tensors.addObject().put("name", e.getKey()).put("dtype", e.getValue().dtype()).put("bytes", bytes.length);
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape()) shape.add(d);
            body.writeBytes(bytes);
        }
        Frame answer;
        try {
            synchronized (runLock) {
                header.put("model", servingWorker());
                try {
                    answer = worker.call(header, body.toByteArray(), settings.runTimeout());
                } catch (WorkerGone e) {
                    deathCounted = true; // this request is the FAILED one the death costs
                    lastDeath = e.getMessage();
                    throw e;
                }
            }
        } catch (Frame.FrameTooLargeException e) {
            throw new InferenceException(InferenceException.Kind.BAD_INPUT, "the inputs are too large for the worker: " + e.getMessage(), e);
        } catch (WorkerError e) {
            // frame_too_large here means the result exceeds max.frame.mb: the model cannot answer, the input is fine
            InferenceException.Kind kind = "bad_input".equals(e.code()) ? InferenceException.Kind.BAD_INPUT : InferenceException.Kind.FAILED;
            throw new InferenceException(kind, e.getMessage(), e);
        } catch (IOException e) {
            throw new InferenceException(InferenceException.Kind.FAILED, e.getMessage(), e);
        }
        try {
            return outputs(answer);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InferenceException(InferenceException.Kind.FAILED, "the worker's answer does not add up: " + e.getMessage(), e);
        }
    }

    private static Map<String, Tensor> outputs(Frame answer) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int offset = 0;
        for (JsonNode t : answer.header().path("tensors")) {
            int length = t.path("bytes").asInt(-1);
            if (length < 0 || offset + (long) length > answer.body().length) {
                throw new IllegalArgumentException("tensor " + t.path("name").asText() + " claims bytes beyond the frame");
            }
            out.put(t.path("name").asText(), TensorBytes.decode(t.path("dtype").asText(), ExternalEngine.shape(t), answer.body(), offset, length));
            offset += length;
        }
        return out;
    }

    /**
     * The id of the model in a live worker: restarts a dead worker whose death was already counted
     * and reloads the file, when no attempt was made within {@link #RESTART_INTERVAL}. Called
     * holding {@code runLock}.
     */
    private String servingWorker() throws IOException {
        if (closed) throw new WorkerGone(settings.runtime() + " model " + file.getFileName() + " is closed", null);
        Worker w = worker;
        if (w.alive()) return id;
        if (!deathCounted) {
            // A death nobody was told about yet (the worker died idle) fails this request: every death
            // costs at least one FAILED, so the health window sees it and a candidate in its warm-up or
            // self-test never passes them by restarting.
            deathCounted = true;
            lastDeath = w.death();
            throw new WorkerGone(lastDeath, null);
        }
        Instant now = clock.instant();
        if (lastRestart != null && now.isBefore(lastRestart.plus(RESTART_INTERVAL))) {
            throw new WorkerGone("the " + settings.runtime() + " worker for " + file.getFileName() + " is down (" + lastDeath
                    + "); the next restart attempt is due at " + lastRestart.plus(RESTART_INTERVAL), null);
        }
        lastRestart = now;
        w.close();
        Worker fresh;
        try {
            fresh = Worker.start(settings);
        } catch (WorkerGone e) {
            lastDeath = "restarting it failed: " + e.getMessage();
            throw e;
        }
        try {
            String reloaded = loadInto(fresh, settings, file, threads).header().path("model").asText();
            worker = fresh;
            // close() sets closed before it reads worker: either it stopped fresh, or this sees closed
            if (closed) {
                fresh.close();
                throw new WorkerGone(settings.runtime() + " model " + file.getFileName() + " is closed", null);
            }
            String after = lastDeath;
            LOG.info(() -> settings.runtime() + " worker for " + file.getFileName() + " restarted as " + fresh.pid() + " after: " + after);
            id = reloaded;
            deathCounted = false;
            lastDeath = null;
            return id;
        } catch (WorkerError e) {
            fresh.close();
            lastDeath = "restarting it failed: " + e.getMessage();
            throw new WorkerGone(lastDeath, e);
        } catch (IOException | RuntimeException e) {
            fresh.close();
            lastDeath = "restarting it failed: " + e.getMessage();
            throw e;
        }
    }

    /**
     * Stops the model's worker, which frees the model with it: it asks the worker to shut down
     * (a run already written is answered first) and kills it after a grace period.
     */
    @Override
    public void close() {
        closed = true;
        worker.close();
    }

    static List<TensorSpec> specs(JsonNode list) {
        List<TensorSpec> out = new ArrayList<>();
        for (JsonNode t : list) out.add(new TensorSpec(t.path("name").asText(), t.path("dtype").asText(), ExternalEngine.shape(t)));
        return out;
    }
}
