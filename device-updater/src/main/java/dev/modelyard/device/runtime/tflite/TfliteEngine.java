package dev.modelyard.device.runtime.tflite;

import dev.modelyard.device.runtime.Engine;
import dev.modelyard.device.runtime.Engines;
import dev.modelyard.device.runtime.InferenceException;
import dev.modelyard.device.runtime.LoadedModel;
import dev.modelyard.device.runtime.ModelRuntime.TensorSpec;
import dev.modelyard.device.runtime.SwapException;
import dev.modelyard.device.runtime.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.lite.DataType;
import org.tensorflow.lite.Interpreter;

/**
 * TensorFlow Lite in this process, through the Java binding DJL packages. The natives come from
 * the updater's own jar (x86_64) or from a library the device names ({@code tflite.library}):
 * never from the network.
 */
public final class TfliteEngine implements Engine {

    public static final String RUNTIME = "tflite";

    private final String version = Engines.bundledVersion(TfliteEngine.class);
    private final Path nativeCache;
    private final Optional<Path> library;
    private boolean nativesLoaded;

    /**
     * {@code nativeCache}: where DJL extracts the natives from the jar (a directory the updater may
     * write; a service user has no home); {@code library}: a TensorFlow Lite JNI library to load
     * instead, for architectures DJL ships none for.
     */
    public TfliteEngine(Path nativeCache, Optional<Path> library) {
        this.nativeCache = nativeCache;
        this.library = library;
    }

    @Override
    public String runtime() {
        return RUNTIME;
    }

    /** The version of the TensorFlow Lite natives the updater is built with, recorded at build time (reading it from the library would load it). */
    @Override
    public String version() {
        return version;
    }

    @Override
    public Set<String> formats() {
        return Set.of("tflite");
    }

    /** Loads the natives once, with the first model. */
    private synchronized void loadNatives() {
        if (nativesLoaded) return;
        if (library.isPresent()) {
            System.load(library.get().toAbsolutePath().toString());
        } else {
            // DJL would download natives it does not find in the jar: a device must not fetch code.
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("ENGINE_CACHE_DIR", nativeCache.toAbsolutePath().toString());
            ai.djl.tflite.engine.LibUtils.loadLibrary();
        }
        nativesLoaded = true;
    }

    @Override
    public LoadedModel load(Path file, int threads) throws SwapException {
        try {
            loadNatives();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new SwapException(SwapException.Stage.LOAD, "the TensorFlow Lite natives cannot be loaded on " + System.getProperty("os.arch")
                    + " (" + e.getMessage() + "): see the README on TensorFlow Lite devices", e);
        }
        if (!Files.isReadable(file)) throw new SwapException(SwapException.Stage.LOAD, "cannot read " + file.getFileName(), null);
        Interpreter interpreter;
        try {
            // From the file, which TensorFlow Lite maps: the weights never pass through the (small) heap.
            interpreter = new Interpreter(file.toFile(), new Interpreter.Options().setNumThreads(threads));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new SwapException(SwapException.Stage.LOAD, "TensorFlow Lite cannot load " + file.getFileName() + ": " + e.getMessage(), e);
        }
        try {
            List<TensorSpec> in = new ArrayList<>();
            for (int i = 0; i < interpreter.getInputTensorCount(); i++) in.add(spec(interpreter.getInputTensor(i)));
            List<TensorSpec> out = new ArrayList<>();
            for (int i = 0; i < interpreter.getOutputTensorCount(); i++) out.add(spec(interpreter.getOutputTensor(i)));
            return new TfliteModel(interpreter, List.copyOf(in), List.copyOf(out));
        } catch (RuntimeException e) {
            interpreter.close();
            throw new SwapException(SwapException.Stage.LOAD, "TensorFlow Lite cannot describe " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** The declared shape, with -1 where the model leaves a dimension to run time (the shape signature). */
    private static TensorSpec spec(org.tensorflow.lite.Tensor t) {
        int[] sig = t.shapeSignature();
        int[] dims = sig == null || sig.length == 0 && t.shape().length > 0 ? t.shape() : sig;
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = dims[i];
        return new TensorSpec(t.name(), dtype(t.dataType()), shape);
    }

    static String dtype(DataType t) {
        return switch (t) {
            case FLOAT32 -> "float32";
            case INT32 -> "int32";
            case INT64 -> "int64";
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case BOOL -> "bool";
            case INT16 -> "int16";
            case STRING -> "string";
        };
    }

    /** Nothing global: each model owns its interpreter. */
    @Override
    public void close() {
    }

    /**
     * One interpreter. A TensorFlow Lite interpreter is not safe for concurrent use (its input and
     * output tensors are its own memory), so runs take turns; a swap's warm-up and self-test run on
     * the candidate's own interpreter, never delaying the model serving.
     */
    private static final class TfliteModel implements LoadedModel {
        private final Interpreter interpreter;
        private final List<TensorSpec> inputs;
        private final List<TensorSpec> outputs;

        TfliteModel(Interpreter interpreter, List<TensorSpec> inputs, List<TensorSpec> outputs) {
            this.interpreter = interpreter;
            this.inputs = inputs;
            this.outputs = outputs;
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
        public synchronized Map<String, Tensor> run(Map<String, Tensor> given) throws InferenceException {
            Object[] feeds = new Object[inputs.size()];
            try {
                boolean resized = false;
                for (int i = 0; i < inputs.size(); i++) {
                    Tensor t = given.get(inputs.get(i).name());
                    int[] dims = dims(t.shape());
                    if (!Arrays.equals(interpreter.getInputTensor(i).shape(), dims)) {
                        interpreter.resizeInput(i, dims);
                        resized = true;
                    }
                    feeds[i] = TfliteTensors.toBuffer(t);
                }
                if (resized) interpreter.allocateTensors();
                // The interpreter copies each output into a buffer of its size; the shapes are known once allocated.
                Map<Integer, Object> sinks = new HashMap<>();
                for (int o = 0; o < outputs.size(); o++) {
                    sinks.put(o, ByteBuffer.allocateDirect(interpreter.getOutputTensor(o).numBytes()).order(ByteOrder.nativeOrder()));
                }
                interpreter.runForMultipleInputsOutputs(feeds, sinks);
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (int o = 0; o < outputs.size(); o++) {
                    org.tensorflow.lite.Tensor t = interpreter.getOutputTensor(o);
                    ByteBuffer b = (ByteBuffer) sinks.get(o);
                    b.flip();
                    out.put(outputs.get(o).name(), TfliteTensors.fromBuffer(dtype(t.dataType()), t.shape(), b));
                }
                return out;
            } catch (IllegalArgumentException | IllegalStateException e) {
                // The inputs matched the declared signature, so a failure now is the model's.
                throw new InferenceException(InferenceException.Kind.FAILED, "the model failed: " + e.getMessage(), e);
            }
        }

        private static int[] dims(long[] shape) {
            int[] d = new int[shape.length];
            for (int i = 0; i < shape.length; i++) d[i] = Math.toIntExact(shape[i]);
            return d;
        }

        @Override
        public synchronized void close() {
            interpreter.close();
        }
    }
}
