package dev.modelyard.device.runtime;

import java.util.List;
import java.util.Map;

/** A model file loaded by an {@link Engine}, ready to run. */
public interface LoadedModel extends AutoCloseable {

    /** The inputs as the runtime declares them (-1 for a dimension fixed at run time). */
    List<ModelRuntime.TensorSpec> inputs();

    List<ModelRuntime.TensorSpec> outputs();

    /**
     * Runs the model. Inputs were already checked against {@link #inputs()} (names, dtypes, fixed
     * dimensions) by the caller.
     *
     * @throws InferenceException of kind FAILED when the model fails, BAD_INPUT when the runtime refuses an input
     */
    Map<String, Tensor> run(Map<String, Tensor> inputs) throws InferenceException;

    /** Frees the runtime's memory for this model; called once, after the last run has returned. */
    @Override
    void close();
}
