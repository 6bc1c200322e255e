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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model loaded in a worker. It stays bound to the worker that loaded it: when that worker dies,
 * every run fails (FAILED) until the model is replaced, so the health window sees the failures
 * and rolls back, which loads the previous version into a fresh worker.
 */
final class ExternalModel implements LoadedModel {

    private static final Duration UNLOAD_TIMEOUT = Duration.ofSeconds(10);

    private final Worker worker;
    private final String id;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final Duration runTimeout;

    ExternalModel(Worker worker, String id, List<TensorSpec> inputs, List<TensorSpec> outputs, Duration runTimeout) {
        this.worker = worker;
        this.id = id;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.runTimeout = runTimeout;
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
        ObjectNode header = Frame.JSON.createObjectNode().put("type", "run").put("model", id);
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
            answer = worker.call(header, body.toByteArray(), runTimeout);
        } catch (Frame.FrameTooLargeException e) {
            throw new InferenceException(InferenceException.Kind.BAD_INPUT, "the inputs are too large for the worker: " + e.getMessage(), e);
        } catch (WorkerError e) {
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

    /** Unloads the model from its worker; a worker that is gone already freed it. */
    @Override
    public void close() {
        if (!worker.alive()) return;
        try {
            worker.call(Frame.JSON.createObjectNode().put("type", "unload").put("model", id), new byte[0], UNLOAD_TIMEOUT);
        } catch (IOException | WorkerError e) {
            // nothing more to free: an unknown model or a dead worker holds no memory for it
        }
    }
}
