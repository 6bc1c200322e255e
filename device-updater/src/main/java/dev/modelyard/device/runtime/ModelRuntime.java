package dev.modelyard.device.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves models by name from ONNX Runtime and swaps a model's version without failing a request.
 *
 * <p>A swap loads the candidate, warms it up and runs its self-test while the old session keeps
 * serving; only then is the new session published with one atomic reference update. Requests
 * that already hold the old session finish on it; the old session is closed once the last of
 * them has left. Any failure before the publish closes the candidate and leaves the old one.
 */
public final class ModelRuntime implements AutoCloseable {

    private static final Duration DRAIN_LIMIT = Duration.ofMinutes(2);

    private final OrtEnvironment env;
    private final int threadsPerSession;
    private final Map<String, AtomicReference<Loaded>> models = new ConcurrentHashMap<>();

    /** A model's inputs and outputs as the session reports them (-1 for a dimension fixed at run time). */
    public record TensorSpec(String name, String dtype, long[] shape) {
    }

    /** What is being served under a name. */
    public record ModelInfo(String name, String version, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    }

    public ModelRuntime(int threadsPerSession) {
        this.env = OrtEnvironment.getEnvironment();
        // Devices must not phone home.
        try {
            env.setTelemetry(false);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot turn ONNX Runtime telemetry off", e);
        }
        this.threadsPerSession = threadsPerSession;
    }

    public static String onnxRuntimeVersion() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    /** A loaded session with a count of the requests using it. */
    private static final class Loaded {
        final OrtSession session;
        final ModelInfo info;
        private int inflight;
        private boolean retired;
        private boolean closed;

        Loaded(OrtSession session, ModelInfo info) {
            this.session = session;
            this.info = info;
        }

        synchronized boolean acquire() {
            if (retired) return false;
            inflight++;
            return true;
        }

        synchronized void release() {
            if (--inflight == 0 && retired) notifyAll();
        }

        /** Stops new requests, waits for the running ones, then closes the session. */
        void retireAndClose(Duration limit) {
            synchronized (this) {
                retired = true;
                long deadline = System.nanoTime() + limit.toNanos();
                while (inflight > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    try {
                        wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (closed) return;
                closed = true;
            }
            try {
                session.close();
            } catch (OrtException ignored) {
                // Closing can only fail if it was closed already.
            }
        }
    }

    /**
     * Loads {@code file} as {@code version} of model {@code name} and, if it warms up and passes
     * {@code selfTest}, makes it the version served. Returns the version it replaced, if any.
     */
    public Optional<String> swap(String name, String version, Path file, SelfTest selfTest) throws SwapException {
        Loaded candidate = load(name, version, file);
        try {
            warmUp(candidate);
            runSelfTest(candidate, selfTest);
        } catch (SwapException e) {
            candidate.retireAndClose(Duration.ZERO);
            throw e;
        }
        AtomicReference<Loaded> ref = models.computeIfAbsent(name, k -> new AtomicReference<>());
        Loaded old = ref.getAndSet(candidate);
        if (old == null) return Optional.empty();
        old.retireAndClose(DRAIN_LIMIT);
        return Optional.of(old.info.version());
    }

    /** Stops serving a model, letting running requests finish. */
    public void unload(String name) {
        AtomicReference<Loaded> ref = models.remove(name);
        if (ref != null && ref.get() != null) ref.get().retireAndClose(DRAIN_LIMIT);
    }

    public Optional<ModelInfo> info(String name) {
        AtomicReference<Loaded> ref = models.get(name);
        return ref == null || ref.get() == null ? Optional.empty() : Optional.of(ref.get().info);
    }

    public List<ModelInfo> served() {
        List<ModelInfo> out = new ArrayList<>();
        models.values().forEach(r -> {
            Loaded l = r.get();
            if (l != null) out.add(l.info);
        });
        out.sort(java.util.Comparator.comparing(ModelInfo::name));
        return out;
    }

    /** Runs one inference on the version currently served under {@code name}. */
    public Result infer(String name, Map<String, Tensor> inputs) throws InferenceException {
        AtomicReference<Loaded> ref = models.get(name);
        while (true) {
            Loaded l = ref == null ? null : ref.get();
            if (l == null) throw new InferenceException(InferenceException.Kind.UNKNOWN_MODEL, "no model named '" + name + "' is served", null);
            // A swap may retire this session between reading the reference and acquiring it:
            // then read the reference again, which already names the new session.
            if (!l.acquire()) continue;
            try {
                return new Result(l.info.version(), run(l, inputs));
            } finally {
                l.release();
            }
        }
    }

    /** Outputs and the version that produced them. */
    public record Result(String version, Map<String, Tensor> outputs) {
    }

    private Map<String, Tensor> run(Loaded l, Map<String, Tensor> inputs) throws InferenceException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (TensorSpec spec : l.info.inputs()) {
                Tensor t = inputs.get(spec.name());
                if (t == null) throw new InferenceException(InferenceException.Kind.BAD_INPUT, "missing input '" + spec.name() + "'", null);
                if (!t.dtype().equals(spec.dtype())) {
                    throw new InferenceException(InferenceException.Kind.BAD_INPUT, "input '" + spec.name() + "' must be "
                            + spec.dtype() + ", got " + t.dtype(), null);
                }
                feeds.put(spec.name(), t.toOnnx(env));
            }
            for (String given : inputs.keySet()) {
                if (!feeds.containsKey(given)) {
                    throw new InferenceException(InferenceException.Kind.BAD_INPUT, "the model has no input '" + given + "'", null);
                }
            }
            try (OrtSession.Result r = l.session.run(feeds)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : r) {
                    out.put(e.getKey(), Tensor.fromOnnx((OnnxTensor) e.getValue()));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new InferenceException(InferenceException.Kind.BAD_INPUT, "ONNX Runtime refused the request: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private Loaded load(String name, String version, Path file) throws SwapException {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threadsPerSession);
            opts.setInterOpNumThreads(1);
            OrtSession session = env.createSession(file.toString(), opts);
            return new Loaded(session, new ModelInfo(name, version, specs(session.getInputInfo()), specs(session.getOutputInfo())));
        } catch (OrtException e) {
            throw new SwapException(SwapException.Stage.LOAD, "ONNX Runtime cannot load " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> nodes) {
        List<TensorSpec> out = new ArrayList<>();
        nodes.forEach((n, info) -> {
            if (info.getInfo() instanceof TensorInfo t) {
                out.add(new TensorSpec(n, Tensor.dtypeOf(t.type), t.getShape()));
            }
        });
        return List.copyOf(out);
    }

    /** One run on zeros, so the first real request does not pay for lazy initialisation. */
    private void warmUp(Loaded l) throws SwapException {
        Map<String, Tensor> zeros = new LinkedHashMap<>();
        for (TensorSpec s : l.info.inputs()) {
            long[] shape = s.shape().clone();
            for (int i = 0; i < shape.length; i++) if (shape[i] < 0) shape[i] = 1;
            try {
                zeros.put(s.name(), Tensor.zeros(s.dtype(), shape));
            } catch (IllegalArgumentException e) {
                throw new SwapException(SwapException.Stage.WARM_UP, "input '" + s.name() + "': " + e.getMessage(), e);
            }
        }
        try {
            run(l, zeros);
        } catch (InferenceException e) {
            throw new SwapException(SwapException.Stage.WARM_UP, e.getMessage(), e);
        }
    }

    private void runSelfTest(Loaded l, SelfTest test) throws SwapException {
        for (int c = 0; c < test.cases().size(); c++) {
            SelfTest.Case tc = test.cases().get(c);
            Map<String, Tensor> got;
            try {
                got = run(l, tc.inputs());
            } catch (InferenceException e) {
                throw new SwapException(SwapException.Stage.SELF_TEST, "case " + c + ": " + e.getMessage(), e);
            }
            for (Map.Entry<String, Tensor> want : tc.expected().entrySet()) {
                Tensor actual = got.get(want.getKey());
                if (actual == null) {
                    throw new SwapException(SwapException.Stage.SELF_TEST, "case " + c + ": no output '" + want.getKey() + "'", null);
                }
                double[] a = actual.asDoubles();
                double[] e = want.getValue().asDoubles();
                if (a.length != e.length) {
                    throw new SwapException(SwapException.Stage.SELF_TEST, "case " + c + ": output '" + want.getKey() + "' has "
                            + a.length + " elements, expected " + e.length, null);
                }
                for (int i = 0; i < a.length; i++) {
                    if (!(Math.abs(a[i] - e[i]) <= test.tolerance())) {
                        throw new SwapException(SwapException.Stage.SELF_TEST, "case " + c + ": output '" + want.getKey()
                                + "'[" + i + "] is " + a[i] + ", expected " + e[i] + " ± " + test.tolerance(), null);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        for (String name : List.copyOf(models.keySet())) unload(name);
    }
}
