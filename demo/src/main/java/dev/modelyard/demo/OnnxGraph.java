package dev.modelyard.demo;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A small ONNX model written straight in the protocol buffers wire format, field numbers from
 * onnx.proto3, so the demo needs neither model files nor a protobuf library. Only what a dense
 * classifier needs: float32 initializers, nodes, and inputs and outputs of shape [batch, n].
 */
final class OnnxGraph {

    private static final int FLOAT = 1;
    private static final int IR_VERSION = 7;
    private static final int OPSET = 13;

    private final Message graph = new Message();

    OnnxGraph(String name) {
        graph.text(2, name);
    }

    /** A float32 constant tensor (GraphProto.initializer, TensorProto). */
    OnnxGraph initializer(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) raw.putFloat(v);
        Message tensor = new Message();
        for (long d : dims) tensor.number(1, d);
        graph.nested(5, tensor.number(2, FLOAT).text(8, name).blob(9, raw.array()));
        return this;
    }

    /** One operator (GraphProto.node, NodeProto) with its inputs and one output. */
    OnnxGraph node(String op, String output, String... inputs) {
        Message node = new Message();
        for (String in : inputs) node.text(1, in);
        graph.nested(1, node.text(2, output).text(3, output).text(4, op));
        return this;
    }

    OnnxGraph input(String name, int width) {
        graph.nested(11, batchOf(name, width));
        return this;
    }

    OnnxGraph output(String name, int width) {
        graph.nested(12, batchOf(name, width));
        return this;
    }

    /** The ModelProto around the graph. */
    byte[] model(String producer) {
        Message opset = new Message().text(1, "").number(2, OPSET);
        return new Message().number(1, IR_VERSION).text(2, producer).nested(7, graph).nested(8, opset).bytes();
    }

    /** ValueInfoProto of a float32 tensor [batch, width], the batch dimension left symbolic. */
    private static Message batchOf(String name, int width) {
        Message shape = new Message().nested(1, new Message().text(2, "batch")).nested(1, new Message().number(1, width));
        Message tensorType = new Message().number(1, FLOAT).nested(2, shape);
        return new Message().text(1, name).nested(2, new Message().nested(1, tensorType));
    }

    /** A protobuf message being written: varint and length-delimited fields are all ONNX needs here. */
    private static final class Message {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        Message number(int field, long value) {
            key(field, 0);
            varint(value);
            return this;
        }

        Message text(int field, String value) {
            return blob(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Message nested(int field, Message value) {
            return blob(field, value.bytes());
        }

        Message blob(int field, byte[] value) {
            key(field, 2);
            varint(value.length);
            buffer.writeBytes(value);
            return this;
        }

        byte[] bytes() {
            return buffer.toByteArray();
        }

        private void key(int field, int wireType) {
            varint((long) field << 3 | wireType);
        }

        /** Seven bits at a time, lowest first, the high bit set on all but the last byte. */
        private void varint(long value) {
            long rest = value;
            do {
                int low = (int) (rest & 0x7f);
                rest >>>= 7;
                buffer.write(rest == 0 ? low : low | 0x80);
            } while (rest != 0);
        }
    }
}
