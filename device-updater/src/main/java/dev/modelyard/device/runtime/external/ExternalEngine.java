package dev.modelyard.device.runtime.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.device.runtime.Engine;
import dev.modelyard.device.runtime.LoadedModel;
import dev.modelyard.device.runtime.ModelRuntime.TensorSpec;
import dev.modelyard.device.runtime.SwapException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A runtime in a worker process that speaks the external runtime protocol
 * (docs/external-runtime.md), such as the ARM NN worker shipped with the updater.
 *
 * <p>The worker starts at the first load, not before: a device with no model of this format pays
 * nothing. One worker serves every model of the engine, so a hot swap loads the candidate next to
 * the serving version. When the worker dies, the next load starts a new one; the models of the
 * dead worker fail their runs (see {@link ExternalModel}).
 */
public final class ExternalEngine implements Engine {

    private final ExternalRuntimeSettings settings;
    private Worker worker;
    private Worker.Hello hello;
    private boolean closed;

    public ExternalEngine(ExternalRuntimeSettings settings) {
        this.settings = settings;
    }

    @Override
    public String runtime() {
        return settings.runtime();
    }

    /**
     * The version the worker reports in its hello. Before any worker ran, this starts one to ask
     * and stops it again (the device reports its runtimes once it starts).
     *
     * @throws UncheckedIOException when the worker cannot be started, naming why
     */
    @Override
    public synchronized String version() {
        if (hello == null) {
            try (Worker probe = Worker.start(settings)) {
                hello = probe.hello();
            } catch (WorkerGone e) {
                throw new UncheckedIOException(e);
            }
        }
        return hello.version();
    }

    /** The backends the worker uses, in its order of preference (empty until a worker said hello). */
    public synchronized List<String> backends() {
        return hello == null ? List.of() : hello.backends();
    }

    @Override
    public Set<String> formats() {
        return settings.formats();
    }

    @Override
    public LoadedModel load(Path file, int threads) throws SwapException {
        Worker w;
        try {
            w = worker();
        } catch (WorkerGone e) {
            throw new SwapException(SwapException.Stage.LOAD, e.getMessage(), e);
        }
        ObjectNode request = Frame.JSON.createObjectNode().put("type", "load")
                .put("path", file.toAbsolutePath().toString()).put("threads", threads);
        try {
            Frame loaded = w.call(request, new byte[0], settings.loadTimeout());
            return new ExternalModel(w, loaded.header().path("model").asText(), specs(loaded.header().path("inputs")),
                    specs(loaded.header().path("outputs")), settings.runTimeout());
        } catch (WorkerError e) {
            throw new SwapException(SwapException.Stage.LOAD, settings.runtime() + " cannot load " + file.getFileName()
                    + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SwapException(SwapException.Stage.LOAD, settings.runtime() + " worker: " + e.getMessage(), e);
        }
    }

    /** The running worker, or a new one when there is none or it died. */
    private synchronized Worker worker() throws WorkerGone {
        if (closed) throw new WorkerGone("the " + settings.runtime() + " engine is closed", null);
        if (worker == null || !worker.alive()) {
            if (worker != null) worker.close();
            worker = Worker.start(settings);
            hello = worker.hello();
        }
        return worker;
    }

    /** The worker's process id, or -1 when none runs (for operators and tests). */
    public synchronized long workerPid() {
        return worker != null && worker.alive() ? worker.pid() : -1;
    }

    /** Stops the worker; its models are freed with it. */
    @Override
    public synchronized void close() {
        closed = true;
        if (worker != null) worker.close();
        worker = null;
    }

    private static List<TensorSpec> specs(JsonNode list) {
        List<TensorSpec> out = new ArrayList<>();
        for (JsonNode t : list) out.add(new TensorSpec(t.path("name").asText(), t.path("dtype").asText(), shape(t)));
        return out;
    }

    static long[] shape(JsonNode tensor) {
        JsonNode dims = tensor.path("shape");
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = dims.get(i).asLong();
        return shape;
    }
}
