package dev.modelyard.device.runtime;

import java.nio.file.Path;
import java.util.Set;

/**
 * One way of running a model file on this device: ONNX Runtime in this process, TensorFlow Lite in
 * this process, or a worker process speaking the external runtime protocol (ARM NN). The
 * {@link ModelRuntime} swaps, self-tests, serves and retires models the same way whatever the
 * engine; an engine only loads files and runs them.
 *
 * <p>Engines are created when the updater starts but load their native code only when the first
 * model is loaded, so a device with no model pays nothing for the runtimes it has.
 */
public interface Engine extends AutoCloseable {

    /** The runtime's name as target descriptors and device attributes spell it: onnxruntime, tflite, armnn. */
    String runtime();

    /** The runtime's version, reported to the server as {@code runtime.<name>}. */
    String version();

    /** The file formats this engine loads (onnx, ort, tflite, …). */
    Set<String> formats();

    /**
     * Loads {@code file} with {@code threads} intra-op threads. The result must accept concurrent
     * {@link LoadedModel#run} calls (serializing them itself if the runtime cannot).
     *
     * @throws SwapException at stage LOAD when the file cannot be loaded, naming why
     */
    LoadedModel load(Path file, int threads) throws SwapException;

    /** Releases what the engine holds (a worker process, native handles); loaded models are closed first. */
    @Override
    void close();
}
