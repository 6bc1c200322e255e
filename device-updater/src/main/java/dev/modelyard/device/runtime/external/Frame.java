package dev.modelyard.device.runtime.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * One message of the external runtime protocol: a JSON header and a body of raw tensor bytes. On
 * the wire: u32 header length, u32 body length (big-endian), the UTF-8 header, the body.
 */
record Frame(ObjectNode header, byte[] body) {

    static final ObjectMapper JSON = new ObjectMapper();
    /** A header names tensors and shapes, never data: a megabyte is far more than any needs. */
    static final int MAX_HEADER_BYTES = 1024 * 1024;

    Frame(ObjectNode header) {
        this(header, new byte[0]);
    }

    String type() {
        return header.path("type").asText("");
    }

    /** The request id the frame answers, or -1 for none (hello, a protocol error). */
    long id() {
        JsonNode id = header.get("id");
        return id == null || !id.canConvertToLong() ? -1 : id.asLong();
    }

    /** The frame's size on the wire, for checking it against a limit before anything is written. */
    static long size(byte[] header, byte[] body) {
        return 8L + header.length + body.length;
    }

    void write(OutputStream out, int maxFrameBytes) throws IOException {
        byte[] h = JSON.writeValueAsBytes(header);
        long size = size(h, body);
        if (size > maxFrameBytes) throw new FrameTooLargeException(size, maxFrameBytes);
        out.write(ByteBuffer.allocate(8).putInt(h.length).putInt(body.length).array());
        out.write(h);
        out.write(body);
        out.flush();
    }

    /**
     * Reads the next frame, refusing one larger than {@code maxFrameBytes} before allocating for it.
     *
     * @throws EOFException when the stream ends at a frame boundary (the worker exited)
     */
    static Frame read(DataInputStream in, int maxFrameBytes) throws IOException {
        int headerLength = in.readInt();
        int bodyLength = in.readInt();
        long size = 8L + Integer.toUnsignedLong(headerLength) + Integer.toUnsignedLong(bodyLength);
        if (headerLength == 0) throw new IOException("a frame without a header");
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES || bodyLength < 0 || size > maxFrameBytes) {
            throw new FrameTooLargeException(size, maxFrameBytes);
        }
        byte[] h = in.readNBytes(headerLength);
        byte[] body = in.readNBytes(bodyLength);
        if (h.length != headerLength || body.length != bodyLength) throw new EOFException("the stream ended inside a frame");
        JsonNode header = JSON.readTree(h);
        if (!(header instanceof ObjectNode object)) throw new IOException("a frame's header is not a JSON object");
        return new Frame(object, body);
    }

    static DataInputStream input(InputStream in) {
        return new DataInputStream(new java.io.BufferedInputStream(in, 64 * 1024));
    }

    /** A frame over the agreed limit: refused before it is written, or before it is read. */
    static final class FrameTooLargeException extends IOException {
        FrameTooLargeException(long size, int limit) {
            super("a frame of " + size + " bytes exceeds the limit of " + limit + " bytes");
        }
    }
}
