package dev.modelyard.device.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.modelyard.device.runtime.Engine;
import dev.modelyard.device.runtime.Engines;
import dev.modelyard.device.runtime.InferenceException;
import dev.modelyard.device.runtime.LoadedModel;
import dev.modelyard.device.runtime.ModelRuntime.TensorSpec;
import dev.modelyard.device.runtime.SwapException;
import dev.modelyard.device.runtime.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** ONNX Runtime in this process: ONNX files and ORT-format files. */
public final class OnnxEngine implements Engine {

    public static final String RUNTIME = "onnxruntime";

    /**
     * Provider libraries a GPU or vendor build of the ONNX Runtime package ships next to its core
     * library, by accelerator name. Their presence in the package is what makes the provider
     * available; asking ONNX Runtime itself would load its natives.
     */
    private static final Map<String, String> PROVIDER_LIBRARIES = Map.of(
            "cuda", "onnxruntime_providers_cuda", "tensorrt", "onnxruntime_providers_tensorrt",
            "rocm", "onnxruntime_providers_rocm", "openvino", "onnxruntime_providers_openvino",
            "qnn", "onnxruntime_providers_qnn");

    private final String version = Engines.bundledVersion(OnnxEngine.class);
    private OrtEnvironment env;

    @Override
    public String runtime() {
        return RUNTIME;
    }

    /**
     * The version of the ONNX Runtime package this updater is built with, as recorded at build
     * time: {@code OrtEnvironment.getVersion()} would load the native library (about 20 MB mapped)
     * on a device that may never run an ONNX model, and the package's manifest, which names the
     * version too, does not survive the updater's single-jar packaging.
     */
    @Override
    public String version() {
        return version;
    }

    @Override
    public Set<String> formats() {
        return Set.of("onnx", "ort");
    }

    /** Accelerators besides the CPU this package of ONNX Runtime has providers for (see {@link #PROVIDER_LIBRARIES}). */
    public static Set<String> accelerators() {
        Set<String> out = new TreeSet<>();
        String dir = "ai/onnxruntime/native/" + ("linux".equals(os()) ? "linux-" : os() + "-") + nativeArch() + "/";
        PROVIDER_LIBRARIES.forEach((accelerator, lib) -> {
            if (OnnxEngine.class.getClassLoader().getResource(dir + "lib" + lib + ".so") != null) out.add(accelerator);
        });
        return out;
    }

    private static String os() {
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        return os.contains("linux") ? "linux" : os.contains("mac") ? "osx" : os.contains("windows") ? "win" : os;
    }

    private static String nativeArch() {
        String a = System.getProperty("os.arch").toLowerCase(java.util.Locale.ROOT);
        return a.equals("amd64") || a.equals("x86_64") ? "x64" : a.equals("arm64") ? "aarch64" : a;
    }

    /** The environment, created (and ONNX Runtime's natives loaded) with the first model. */
    private synchronized OrtEnvironment env() throws OrtException {
        if (env == null) {
            OrtEnvironment e = OrtEnvironment.getEnvironment();
            // Devices must not phone home.
            e.setTelemetry(false);
            env = e;
        }
        return env;
    }

    @Override
    public LoadedModel load(Path file, int threads) throws SwapException {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            OrtEnvironment environment = env();
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            OrtSession session = environment.createSession(file.toString(), opts);
            try {
                return new OnnxModel(environment, session, specs(session.getInputInfo()), specs(session.getOutputInfo()));
            } catch (OrtException | RuntimeException | Error e) {
                session.close();
                throw e;
            }
        } catch (OrtException e) {
            throw new SwapException(SwapException.Stage.LOAD, "ONNX Runtime cannot load " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> nodes) {
        List<TensorSpec> out = new ArrayList<>();
        nodes.forEach((n, info) -> {
            if (info.getInfo() instanceof TensorInfo t) {
                out.add(new TensorSpec(n, OnnxTensors.dtypeOf(t.type), t.getShape()));
            }
        });
        return List.copyOf(out);
    }

    /** The environment is the process's one ONNX Runtime instance and outlives engines; sessions are closed with their models. */
    @Override
    public void close() {
    }

    /** One session; ONNX Runtime sessions accept concurrent runs. */
    private record OnnxModel(OrtEnvironment env, OrtSession session, List<TensorSpec> inputs, List<TensorSpec> outputs)
            implements LoadedModel {

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs) throws InferenceException {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, Tensor> in : inputs.entrySet()) feeds.put(in.getKey(), OnnxTensors.toOnnx(env, in.getValue()));
                try (OrtSession.Result r = session.run(feeds)) {
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    for (Map.Entry<String, OnnxValue> e : r) {
                        out.put(e.getKey(), OnnxTensors.fromOnnx((OnnxTensor) e.getValue()));
                    }
                    return out;
                }
            } catch (OrtException e) {
                // The input matched the model's declared signature, so a failure now is the model's.
                throw new InferenceException(InferenceException.Kind.FAILED, "the model failed: " + e.getMessage(), e);
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException ignored) {
                // Closing can only fail if it was closed already.
            }
        }
    }
}
