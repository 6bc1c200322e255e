package dev.modelyard.server.conversion;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.modelyard.server.onnx.Onnx;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Graph optimization by ONNX Runtime, saved as ONNX or as ORT format. {@code basic} (constant
 * folding, redundant node removal) keeps standard operators, so the result runs anywhere;
 * {@code extended} and {@code all} fuse into runtime-specific operators and may lay weights out
 * for the converting machine's CPU, so the result is only for devices like it.
 */
public final class OrtOptimizer implements Converter {

    public enum Level {
        BASIC(OptLevel.BASIC_OPT), EXTENDED(OptLevel.EXTENDED_OPT), ALL(OptLevel.ALL_OPT);

        final OptLevel ort;

        Level(OptLevel ort) {
            this.ort = ort;
        }
    }

    public enum Format { ONNX, ORT }

    private final Level level;
    private final Format format;

    public OrtOptimizer(Level level, Format format) {
        this.level = level;
        this.format = format;
    }

    /** ONNX to ORT format, with basic optimizations so the file stays portable. */
    public static OrtOptimizer toOrtFormat() {
        return new OrtOptimizer(Level.BASIC, Format.ORT);
    }

    @Override
    public String name() {
        return format == Format.ORT ? "ort-format" : "ort-optimize";
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("level", level.name().toLowerCase(Locale.ROOT));
        p.put("format", format.name().toLowerCase(Locale.ROOT));
        return p;
    }

    @Override
    public boolean portable() {
        return level == Level.BASIC;
    }

    @Override
    public void convert(Path in, Path out) throws ConversionException {
        String file = out.getFileName().toString();
        if (format == Format.ORT && !file.endsWith(".ort")) {
            throw new ConversionException("an ORT format output must be named *.ort, not '" + file + "'");
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(level.ort);
            o.setOptimizedModelFilePath(out.toString());
            if (format == Format.ORT) o.addConfigEntry("session.save_model_format", "ORT");
            Ort.env().createSession(in.toString(), o).close();
        } catch (OrtException e) {
            throw new ConversionException("ONNX Runtime could not optimize the model: " + e.getMessage(), e);
        }
        if (format == Format.ONNX) canonicalNodeNames(in, out);
    }

    /**
     * ONNX Runtime names the nodes its optimizers add from counters whose order changes from one
     * run to the next (at {@code extended} and {@code all}, two {@code ReorderOutput} nodes swap
     * names), so the same input would give different bytes and never share a blob. Node names
     * carry no meaning in ONNX: every node the source did not have is renamed after its operator
     * and position, which is the same on every run.
     */
    private static void canonicalNodeNames(Path in, Path out) throws ConversionException {
        try {
            Set<String> source = new HashSet<>();
            for (NodeProto n : Onnx.read(in, Onnx.ReadOptions.STRUCTURE).graph().node()) source.add(n.name());
            ModelProto m = Onnx.read(out);
            List<NodeProto> nodes = m.graph().node();
            if (nodes.stream().allMatch(n -> source.contains(n.name()))) return;
            Set<String> taken = new HashSet<>();
            for (NodeProto n : nodes) if (source.contains(n.name())) taken.add(n.name());
            List<NodeProto> renamed = new ArrayList<>(nodes.size());
            for (int i = 0; i < nodes.size(); i++) {
                NodeProto n = nodes.get(i);
                if (source.contains(n.name())) {
                    renamed.add(n);
                    continue;
                }
                String name = n.opType() + "_" + i;
                while (!taken.add(name)) name = name + "_";
                renamed.add(new NodeProto(n.input(), n.output(), name, n.opType(), n.domain(), n.attribute(), n.docString(),
                        n.unknown()));
            }
            Onnx.write(m.withGraph(m.graph().withNodesAndInitializers(renamed, m.graph().initializer())), out);
        } catch (IOException e) {
            throw new ConversionException("could not rewrite ONNX Runtime's output: " + e.getMessage(), e);
        }
    }
}
