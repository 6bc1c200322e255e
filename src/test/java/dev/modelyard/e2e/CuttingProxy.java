package dev.modelyard.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of the server that cuts one download in the middle, once: the response to
 * the first GET whose path matches a pattern is cut after a given number of body bytes, by closing both
 * sides of the connection, which is what a dropped mobile link does to a client. Deterministic:
 * the cut depends on bytes, never on time. Every request head it forwards is kept, so a test can
 * see how the client came back (a Range request resumes, a plain GET starts again).
 * {@link #cutRequests} cuts uploads the same way: the bodies of requests after a number of bytes.
 */
public final class CuttingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Pattern cutPath;
    private volatile long cutAfter;
    private final AtomicBoolean cut = new AtomicBoolean();
    private final AtomicLong cutAt = new AtomicLong(-1);
    private volatile String cutRequestMethod;
    private volatile Pattern cutRequestPath;
    private volatile long cutRequestAfter;
    private final AtomicInteger requestCutsLeft = new AtomicInteger();
    private final AtomicInteger requestCutsDone = new AtomicInteger();

    public CuttingProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "cutting-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /**
     * Arms the proxy for uploads: the next {@code times} requests of {@code method} to a path matching
     * {@code path} that have a Content-Length body longer than {@code bytes} have their body cut after
     * {@code bytes} bytes (both sides of the connection are closed then, as a dropped link does).
     * A browser silently sends a request again, once, when a connection it reused breaks before any
     * answer; a test that wants the page itself to see the cut cuts twice.
     */
    public void cutRequests(String method, Pattern path, long bytes, int times) {
        cutRequestAfter = bytes;
        requestCutsDone.set(0);
        requestCutsLeft.set(times);
        cutRequestMethod = method;
        cutRequestPath = path;
    }

    /** How many request bodies were cut. */
    public int requestCuts() {
        return requestCutsDone.get();
    }

    /** Arms the proxy: the body of the response to the next GET of a path matching {@code path} is cut after {@code bytes} bytes. */
    void cutOnce(Pattern path, long bytes) {
        cutAfter = bytes;
        cut.set(false);
        cutPath = path;
    }

    /** Whether the armed cut happened. */
    boolean didCut() {
        return cut.get() && cutAt.get() >= 0;
    }

    /** The request heads forwarded so far ("GET /path HTTP/1.1" and the header lines, joined by newlines), oldest first. */
    public List<String> requests() {
        return List.copyOf(heads);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(upstream, 5_000);
                open.add(client);
                open.add(server);
                Connection c = new Connection(client, server);
                start(c::upstream);
                start(c::downstream);
            } catch (IOException e) {
                if (listener.isClosed()) return;
            }
        }
    }

    private static void start(Runnable r) {
        Thread t = new Thread(r, "cutting-proxy-io");
        t.setDaemon(true);
        t.start();
    }

    /** One client connection and its connection to the server; requests on it follow each other (no pipelining). */
    private final class Connection {
        private final Socket client;
        private final Socket server;
        /** Set by the upstream side before it forwards the request to cut, so the response is counted from its first byte. */
        private volatile boolean cutting;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        /**
         * Forwards requests one by one: the head (rewritten, see {@link #http11}), then the body by
         * its Content-Length or chunks.
         */
        void upstream() {
            try (InputStream in = new BufferedInputStream(client.getInputStream());
                 OutputStream out = server.getOutputStream()) {
                for (String head; (head = readHead(in)) != null; ) {
                    String[] lines = head.split("\r\n");
                    String[] requestLine = lines[0].split(" ");
                    String rewritten = http11(lines);
                    heads.add(rewritten.replace("\r\n", "\n"));
                    Pattern armed = cutPath;
                    if (armed != null && requestLine[0].equals("GET") && armed.matcher(requestLine[1]).matches()
                            && !cut.getAndSet(true)) {
                        cutting = true; // before the request goes out, so the response is counted from its first byte
                    }
                    out.write((rewritten + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    String length = header(lines, "content-length");
                    Pattern requestArmed = cutRequestPath;
                    if (length != null && requestArmed != null && requestLine[0].equals(cutRequestMethod)
                            && requestArmed.matcher(requestLine[1]).matches() && Long.parseLong(length.trim()) > cutRequestAfter
                            && requestCutsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        copy(in, out, cutRequestAfter);
                        out.flush();
                        requestCutsDone.incrementAndGet();
                        return; // closes both sides (finally)
                    }
                    if (length != null) {
                        copy(in, out, Long.parseLong(length.trim()));
                    } else if ("chunked".equalsIgnoreCase(header(lines, "transfer-encoding"))) {
                        copyChunks(in, out);
                    }
                    out.flush();
                }
            } catch (IOException closed) {
                // the other side ended the connection
            } finally {
                closeBoth();
            }
        }

        void downstream() {
            byte[] buf = new byte[16 * 1024];
            long body = 0;
            int headEnd = 0; // how much of CRLF CRLF, the end of the response head, has been seen
            try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (!cutting) {
                        out.write(buf, 0, n);
                        out.flush();
                        continue;
                    }
                    // The head passes whole; the body is cut after cutAfter bytes, so the client keeps a part to resume from.
                    int i = 0;
                    while (i < n && headEnd < 4) {
                        byte b = buf[i++];
                        headEnd = b == (headEnd % 2 == 0 ? '\r' : '\n') ? headEnd + 1 : (b == '\r' ? 1 : 0);
                    }
                    long room = cutAfter - body;
                    if (headEnd == 4 && n - i >= room) {
                        out.write(buf, 0, i + (int) room);
                        out.flush();
                        cutAt.set(cutAfter);
                        return;
                    }
                    if (headEnd == 4) body += n - i;
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException closed) {
                // the other side ended the connection
            } finally {
                closeBoth();
            }
        }

        private void closeBoth() {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                server.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * The head without the client's offer to switch to HTTP/2 (h2c upgrade: the JDK's client makes
     * it on cleartext connections), so every request and response on the connection stays HTTP/1.1
     * and readable here.
     */
    private static String http11(String[] lines) {
        StringBuilder b = new StringBuilder(lines[0]);
        for (int i = 1; i < lines.length; i++) {
            String name = lines[i].substring(0, Math.max(0, lines[i].indexOf(':'))).trim().toLowerCase(Locale.ROOT);
            if (name.equals("upgrade") || name.equals("http2-settings") || name.equals("connection")) continue;
            b.append("\r\n").append(lines[i]);
        }
        return b.toString();
    }

    private static String header(String[] lines, String name) {
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase(name)) return lines[i].substring(colon + 1).trim();
        }
        return null;
    }

    /** The next request head without its final CRLF CRLF; null when the connection ended before one. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                byte[] bytes = head.toByteArray();
                return new String(bytes, 0, bytes.length - 4, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[16 * 1024];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) throw new EOFException("the request body ended early");
            out.write(buf, 0, r);
            n -= r;
        }
    }

    /** Copies a chunked body: size lines, chunks, and the trailer after the last (empty) chunk. */
    private static void copyChunks(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            long size = Long.parseLong(sizeLine.split(";")[0].trim(), 16);
            if (size == 0) {
                for (String trailer; !(trailer = readLine(in)).isEmpty(); ) {
                    out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            copy(in, out, size + 2); // the chunk and its CRLF
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        throw new EOFException("the connection ended inside a chunked body");
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) s.close();
    }
}
