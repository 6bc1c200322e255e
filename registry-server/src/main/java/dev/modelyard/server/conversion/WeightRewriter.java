package dev.modelyard.server.conversion;

import dev.modelyard.server.onnx.Onnx.GraphProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx;
import dev.modelyard.server.onnx.OnnxFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaces chosen float initializers by a compact stored form plus nodes that rebuild the float
 * tensor under its original name, so every consumer and the graph's inputs and outputs stay as
 * they were. Used for fp16 and int8 weight storage.
 */
abstract class WeightRewriter implements Converter {

    /** What replaces one initializer: new initializers and the nodes producing the original name. */
    record Replacement(List<TensorProto> initializers, List<NodeProto> nodes) {
    }

    /** One place a value is consumed: a node and the input position. */
    record Use(NodeProto node, int index) {
    }

    /** The model being rewritten, fresh names, and where each value is consumed. */
    record Context(ModelProto model, Names names, Map<String, List<Use>> uses) {
        List<Use> usesOf(String value) {
            return uses.getOrDefault(value, List.of());
        }
    }

    /** Decides and builds the replacement of a float initializer, or returns null to keep it. */
    abstract Replacement replace(TensorProto weight, Context ctx) throws ConversionException, OnnxFormatException;

    /** Checks the model can take the rewrite (opset, …). */
    abstract void check(ModelProto model) throws ConversionException;

    @Override
    public void convert(Path in, Path out) throws ConversionException {
        ModelProto m = SourceModel.read(in);
        check(m);
        GraphProto g = m.graph();
        Map<String, List<Use>> uses = new HashMap<>();
        for (NodeProto n : g.node()) {
            for (int i = 0; i < n.input().size(); i++) {
                uses.computeIfAbsent(n.input().get(i), k -> new ArrayList<>()).add(new Use(n, i));
            }
        }
        Context ctx = new Context(m, new Names(g), uses);
        List<NodeProto> added = new ArrayList<>();
        List<TensorProto> inits = new ArrayList<>();
        try {
            for (TensorProto t : g.initializer()) {
                if (t.isExternal()) throw new ConversionException("initializer '" + t.name() + "' keeps its data in an external file");
                Replacement r = t.dataType() == Onnx.DataType.FLOAT ? replace(t, ctx) : null;
                if (r == null) {
                    inits.add(t);
                } else {
                    inits.addAll(r.initializers());
                    added.addAll(r.nodes());
                }
            }
        } catch (OnnxFormatException e) {
            throw new ConversionException("the model is malformed: " + e.getMessage(), e);
        }
        List<NodeProto> nodes = new ArrayList<>(added);
        nodes.addAll(g.node());
        try {
            Onnx.write(m.withGraph(g.withNodesAndInitializers(nodes, inits)), out);
        } catch (IOException e) {
            throw new ConversionException("cannot write the converted model: " + e.getMessage(), e);
        }
    }

    /** Fresh value and node names that collide with nothing in the graph. */
    static final class Names {
        private final Set<String> used = new HashSet<>();

        Names(GraphProto g) {
            for (TensorProto t : g.initializer()) used.add(t.name());
            for (Onnx.ValueInfoProto v : g.input()) used.add(v.name());
            for (Onnx.ValueInfoProto v : g.output()) used.add(v.name());
            for (NodeProto n : g.node()) {
                used.addAll(n.input());
                used.addAll(n.output());
                if (n.name() != null) used.add(n.name());
            }
        }

        String fresh(String base) {
            String name = base;
            for (int i = 1; !used.add(name); i++) name = base + "_" + i;
            return name;
        }
    }
}
