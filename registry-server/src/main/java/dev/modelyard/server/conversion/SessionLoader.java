package dev.modelyard.server.conversion;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;

/**
 * How the checks of a conversion open ONNX Runtime sessions. Loading a large model is the
 * expensive part of a check (time, and native memory that the allocator rarely gives back), so
 * every load goes through here and a check does at most two: the source once and the result once.
 */
@FunctionalInterface
public interface SessionLoader {

    /** Sessions with default options, as a device opens them. */
    SessionLoader DEFAULT = Ort::load;

    OrtSession load(Path model) throws OrtException;
}
