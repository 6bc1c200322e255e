package dev.modelyard.server.conversion;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;

/** The process's ONNX Runtime environment, with telemetry turned off before first use. */
public final class Ort {

    private static OrtEnvironment env;

    private Ort() {
    }

    public static synchronized OrtEnvironment env() throws OrtException {
        if (env == null) {
            OrtEnvironment e = OrtEnvironment.getEnvironment();
            e.setTelemetry(false);
            env = e;
        }
        return env;
    }

    /** A session with default options (what a device does), on one intra-op thread per call site's choice. */
    public static OrtSession load(Path model) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            return env().createSession(model.toString(), o);
        }
    }

    /** The ONNX Runtime version, recorded in the lineage of what its optimizer wrote. */
    public static String version() {
        try {
            return env().getVersion();
        } catch (OrtException e) {
            return "unknown";
        }
    }
}
