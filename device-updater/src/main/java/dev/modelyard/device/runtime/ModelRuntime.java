package dev.modelyard.device.runtime;

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
 * Serves models by name and swaps a model's version without failing a request, the same way
 * whichever {@link Engine} runs the model: the engine only loads files and runs them.
 *
 * <p>A swap loads the candidate, warms it up and runs its self-test while the old model keeps
 * serving; only then is the new model published with one atomic reference update. Requests
 * that already hold the old model finish on it; the old model is closed once the last of
 * them has left. Any failure before the publish closes the candidate and leaves the old one.
 */
public final class ModelRuntime implements AutoCloseable {

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ModelRuntime.class.getName());
    private static final Duration DRAIN_LIMIT = Duration.ofMinutes(2);
    /** Warm-up inputs of a typical model are kilobytes; a bound keeps a strange model from exhausting the heap. */
    public static final long DEFAULT_MAX_WARM_UP_BYTES = 16L * 1024 * 1024;

    private final Engines engines;
    private final int threadsPerSession;
    private final long maxWarmUpBytes;
    private final int warmUpRuns;
    private final Map<String, AtomicReference<Loaded>> models = new ConcurrentHashMap<>();

    /** A model's inputs and outputs as the runtime reports them (-1 for a dimension fixed at run time). */
    public record TensorSpec(String name, String dtype, long[] shape) {
    }

    /**
     * What one served version has done since it was swapped in: requests, the ones the model failed,
     * and the p99 and p50 latency of the last {@code latencySamples} successful ones (-1 without any).
     */
    public record Stats(String version, long requests, long errors, int latencySamples, long p99Nanos, long p50Nanos) {

        /** Figures without a median (the judge needs none). */
        public Stats(String version, long requests, long errors, int latencySamples, long p99Nanos) {
            this(version, requests, errors, latencySamples, p99Nanos, -1);
        }

        public double errorRate() {
            return requests == 0 ? 0 : (double) errors / requests;
        }
    }

    /** What is being served under a name, and by which runtime. */
    public record ModelInfo(String name, String version, String runtime, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    }

    public ModelRuntime(Engines engines, int threadsPerSession) {
        this(engines, threadsPerSession, DEFAULT_MAX_WARM_UP_BYTES);
    }

    /** {@code maxWarmUpBytes} bounds the zero tensors a warm-up allocates; a candidate needing more is refused. */
    public ModelRuntime(Engines engines, int threadsPerSession, long maxWarmUpBytes) {
        this(engines, threadsPerSession, maxWarmUpBytes, 1);
    }

    /**
     * {@code warmUpRuns} runs before a candidate serves: more than one lets a runtime's memory
     * arena and caches reach their steady state, so the first real requests are not the slow ones.
     */
    public ModelRuntime(Engines engines, int threadsPerSession, long maxWarmUpBytes, int warmUpRuns) {
        if (warmUpRuns < 1) throw new IllegalArgumentException("at least one warm-up run is needed");
        this.engines = engines;
        this.warmUpRuns = warmUpRuns;
        this.threadsPerSession = threadsPerSession;
        this.maxWarmUpBytes = maxWarmUpBytes;
    }

    /** A loaded model with a count of the requests using it. */
    private static final class Loaded {
        final LoadedModel model;
        final ModelInfo info;
        final ServingStats stats = new ServingStats();
        private int inflight;
        private boolean retired;
        private boolean closed;

        Loaded(LoadedModel model, ModelInfo info) {
            this.model = model;
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

        /** Stops new requests, waits for the running ones, then closes the model. */
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
            model.close();
        }
    }

    /**
     * Loads {@code file} as {@code version} of model {@code name} and, if it warms up and passes
     * {@code selfTest}, makes it the version served. Returns the version it replaced, if any.
     */
    public Optional<String> swap(String name, String version, ModelFile file, SelfTest selfTest) throws SwapException {
        try {
            return swap(name, version, file, selfTest, () -> { });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // the empty commit throws nothing
        }
    }

    /** As {@link #swap(String, String, ModelFile, SelfTest)} for a file named by its format ({@link ModelFile#byExtension}). */
    public Optional<String> swap(String name, String version, Path file, SelfTest selfTest) throws SwapException {
        return swap(name, version, ModelFile.byExtension(file), selfTest);
    }

    /** As {@link #swap(String, String, ModelFile, SelfTest, Commit)} for a file named by its format ({@link ModelFile#byExtension}). */
    public Optional<String> swap(String name, String version, Path file, SelfTest selfTest, Commit commit)
            throws SwapException, java.io.IOException {
        return swap(name, version, ModelFile.byExtension(file), selfTest, commit);
    }

    /** What must be made durable before a new model serves: it runs after warm-up and self-test. */
    @FunctionalInterface
    public interface Commit {
        void run() throws java.io.IOException;
    }

    /**
     * As {@link #swap(String, String, ModelFile, SelfTest)}, running {@code commit} (e.g. recording the
     * new version as current) after the checks and before the model is published: nothing is
     * served that is not recorded first. If {@code commit} throws, the candidate is dropped, the
     * old model keeps serving and the exception propagates.
     */
    public Optional<String> swap(String name, String version, ModelFile file, SelfTest selfTest, Commit commit)
            throws SwapException, java.io.IOException {
        long t0 = System.nanoTime();
        Loaded candidate = load(name, version, file);
        long t1 = System.nanoTime();
        SwapException.Stage stage = SwapException.Stage.WARM_UP;
        try {
            warmUp(candidate);
            long t2 = System.nanoTime();
            stage = SwapException.Stage.SELF_TEST;
            runSelfTest(candidate, selfTest);
            long t3 = System.nanoTime();
            // What a swap costs, step by step: the numbers to look at when requests slow down during one.
            LOG.info(() -> String.format(java.util.Locale.ROOT, "%s %s: loaded by %s in %d ms, warmed up in %d ms (%d runs), self-test in %d ms (%d cases)",
                    name, version, candidate.info.runtime(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, warmUpRuns, (t3 - t2) / 1_000_000, selfTest.cases().size()));
        } catch (SwapException e) {
            candidate.retireAndClose(Duration.ZERO);
            throw e;
        } catch (RuntimeException | Error e) {
            // An OutOfMemoryError here is the candidate's fault, not the daemon's: dropping the
            // candidate frees what it took, and the old model never stopped serving.
            candidate.retireAndClose(Duration.ZERO);
            throw new SwapException(stage, describe(e), e);
        }
        try {
            commit.run();
        } catch (java.io.IOException | RuntimeException | Error e) {
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

    /** Requests, errors and latency of the version served under {@code name} since it was swapped in. */
    public Optional<Stats> stats(String name) {
        AtomicReference<Loaded> ref = models.get(name);
        Loaded l = ref == null ? null : ref.get();
        return l == null ? Optional.empty() : Optional.of(l.stats.snapshot(l.info.version()));
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
            // A swap may retire this model between reading the reference and acquiring it:
            // then read the reference again, which already names the new model.
            if (!l.acquire()) continue;
            long start = System.nanoTime();
            try {
                Result r = new Result(l.info.version(), run(l, inputs));
                l.stats.success(System.nanoTime() - start);
                return r;
            } catch (InferenceException e) {
                if (e.kind() == InferenceException.Kind.FAILED) l.stats.failure();
                throw e;
            } finally {
                l.release();
            }
        }
    }

    /** Outputs and the version that produced them. */
    public record Result(String version, Map<String, Tensor> outputs) {
    }

    /** Checks the inputs against the model's declared signature, so that what the engine gets is well-formed. */
    private static Map<String, Tensor> run(Loaded l, Map<String, Tensor> inputs) throws InferenceException {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (TensorSpec spec : l.info.inputs()) {
            Tensor t = inputs.get(spec.name());
            if (t == null) throw new InferenceException(InferenceException.Kind.BAD_INPUT, "missing input '" + spec.name() + "'", null);
            if (!t.dtype().equals(spec.dtype())) {
                throw new InferenceException(InferenceException.Kind.BAD_INPUT, "input '" + spec.name() + "' must be "
                        + spec.dtype() + ", got " + t.dtype(), null);
            }
            checkShape(spec, t);
            feeds.put(spec.name(), t);
        }
        for (String given : inputs.keySet()) {
            if (!feeds.containsKey(given)) {
                throw new InferenceException(InferenceException.Kind.BAD_INPUT, "the model has no input '" + given + "'", null);
            }
        }
        try {
            return l.model.run(feeds);
        } catch (IllegalArgumentException e) {
            // An element type the engine cannot convert: the request's, not the model's.
            throw new InferenceException(InferenceException.Kind.BAD_INPUT, e.getMessage(), e);
        }
    }

    /** Refuses, before the model runs, an input whose rank or fixed dimensions differ from the declared ones. */
    private static void checkShape(TensorSpec spec, Tensor t) throws InferenceException {
        long[] want = spec.shape();
        long[] got = t.shape();
        boolean ok = want.length == got.length;
        for (int i = 0; ok && i < want.length; i++) ok = want[i] < 0 || want[i] == got[i];
        if (!ok) {
            throw new InferenceException(InferenceException.Kind.BAD_INPUT, "input '" + spec.name() + "' must have shape "
                    + java.util.Arrays.toString(want).replace("-1", "?") + ", got " + java.util.Arrays.toString(got), null);
        }
    }

    private Loaded load(String name, String version, ModelFile file) throws SwapException {
        Engine engine = engines.forTarget(file.runtime(), file.format());
        LoadedModel model;
        try {
            model = engine.load(file.path(), threadsPerSession);
        } catch (RuntimeException | Error e) {
            throw new SwapException(SwapException.Stage.LOAD, file.path().getFileName() + ": " + describe(e), e);
        }
        try {
            return new Loaded(model, new ModelInfo(name, version, engine.runtime(), model.inputs(), model.outputs()));
        } catch (RuntimeException | Error e) {
            model.close();
            throw new SwapException(SwapException.Stage.LOAD, file.path().getFileName() + ": " + describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof OutOfMemoryError) return "out of memory (" + e.getMessage() + ")";
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** One run on zeros, so the first real request does not pay for lazy initialisation. */
    private void warmUp(Loaded l) throws SwapException {
        long bytes = 0;
        for (TensorSpec s : l.info.inputs()) {
            bytes = saturatingAdd(bytes, warmUpBytes(s));
        }
        if (bytes > maxWarmUpBytes) {
            throw new SwapException(SwapException.Stage.WARM_UP, "its inputs need " + bytes + " bytes with unknown dimensions"
                    + " set to 1, more than the warm-up bound of " + maxWarmUpBytes + " bytes", null);
        }
        Map<String, Tensor> zeros = new LinkedHashMap<>();
        for (TensorSpec s : l.info.inputs()) {
            try {
                zeros.put(s.name(), Tensor.zeros(s.dtype(), warmUpShape(s)));
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new SwapException(SwapException.Stage.WARM_UP, "input '" + s.name() + "': " + e.getMessage(), e);
            }
        }
        try {
            for (int i = 0; i < warmUpRuns; i++) run(l, zeros);
        } catch (InferenceException e) {
            throw new SwapException(SwapException.Stage.WARM_UP, e.getMessage(), e);
        }
    }

    /** Symbolic and unknown dimensions become 1: the smallest input the model accepts. */
    private static long[] warmUpShape(TensorSpec s) {
        long[] shape = s.shape().clone();
        for (int i = 0; i < shape.length; i++) if (shape[i] < 0) shape[i] = 1;
        return shape;
    }

    private static long warmUpBytes(TensorSpec s) {
        long n = Tensor.elementSize(s.dtype());
        for (long d : warmUpShape(s)) n = saturatingMultiply(n, d);
        return n;
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        return hi != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
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

    /** Unloads every model; the engines belong to whoever made them and are closed by them. */
    @Override
    public void close() {
        for (String name : List.copyOf(models.keySet())) unload(name);
    }
}
