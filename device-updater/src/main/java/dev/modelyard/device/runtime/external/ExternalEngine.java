package dev.modelyard.device.runtime.external;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.device.runtime.Engine;
import dev.modelyard.device.runtime.InferenceException;
import dev.modelyard.device.runtime.LoadedModel;
import dev.modelyard.device.runtime.ModelRuntime.TensorSpec;
import dev.modelyard.device.runtime.SwapException;
import dev.modelyard.device.runtime.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A runtime in worker processes that speak the external runtime protocol
 * (docs/external-runtime.md), such as the ARM NN worker shipped with the updater.
 *
 * <p>Every loaded model gets a worker of its own (see {@link ExternalModel}): load starts a worker
 * and loads the file there, closing the model stops it. A hot swap's candidate therefore runs in
 * another process than the serving version, and whatever kills the candidate's worker cannot
 * touch the served one. No worker runs while the device has no model of this format.
 */
public final class ExternalEngine implements Engine {

    private final ExternalRuntimeSettings settings;
    private final Clock clock;
    private final Set<ExternalModel> models = new LinkedHashSet<>();
    private Worker.Hello hello;
    private boolean closed;

    public ExternalEngine(ExternalRuntimeSettings settings) {
        this(settings, Clock.systemUTC());
    }

    ExternalEngine(ExternalRuntimeSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
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
        synchronized (this) {
            if (closed) throw new SwapException(SwapException.Stage.LOAD, "the " + settings.runtime() + " engine is closed", null);
        }
        ExternalModel model;
        try {
            model = ExternalModel.load(settings, file, threads, clock);
        } catch (WorkerError e) {
            throw new SwapException(SwapException.Stage.LOAD, settings.runtime() + " cannot load " + file.getFileName()
                    + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SwapException(SwapException.Stage.LOAD, settings.runtime() + " worker: " + e.getMessage(), e);
        }
        synchronized (this) {
            if (!closed) {
                models.add(model);
                return new Tracked(model);
            }
        }
        model.close();
        throw new SwapException(SwapException.Stage.LOAD, "the " + settings.runtime() + " engine is closed", null);
    }

    /** The process ids of the workers running now, one per loaded model (for operators and tests). */
    public synchronized List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (ExternalModel m : models) {
            long pid = m.workerPid();
            if (pid > 0) pids.add(pid);
        }
        return pids;
    }

    /** Stops every model's worker; the models are freed with them. */
    @Override
    public void close() {
        List<ExternalModel> open;
        synchronized (this) {
            closed = true;
            open = new ArrayList<>(models);
            models.clear();
        }
        open.forEach(ExternalModel::close);
    }

    /** The model as callers see it: closing it also forgets it here. */
    private final class Tracked implements LoadedModel {
        private final ExternalModel model;

        Tracked(ExternalModel model) {
            this.model = model;
        }

        @Override
        public List<TensorSpec> inputs() {
            return model.inputs();
        }

        @Override
        public List<TensorSpec> outputs() {
            return model.outputs();
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs) throws InferenceException {
            return model.run(inputs);
        }

        @Override
        public void close() {
            synchronized (ExternalEngine.this) {
                models.remove(model);
            }
            model.close();
        }
    }

    /** The process id of the worker a model this engine loaded runs in, or -1 when none runs (for tests). */
    static long workerPid(LoadedModel model) {
        return ((Tracked) model).model.workerPid();
    }

    static long[] shape(JsonNode tensor) {
        JsonNode dims = tensor.path("shape");
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = dims.get(i).asLong();
        return shape;
    }
}
