package dev.modelyard.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy in front of the server that cuts one download in the middle, once: the response to
 * the first GET whose path matches a pattern is cut after a given number of body bytes, by closing both
 * sides of the connection, which is what a dropped mobile link does to a client. Deterministic:
 * the cut depends on bytes, never on time. Every request head it forwards is kept, so a test can
 * see how the client came back (a Range request resumes, a plain GET starts again).
 */
final class CuttingProxy implements AutoCloseable {

    private static final Pattern REQUEST_HEAD = Pattern.compile("(?s)(GET|HEAD|POST|PUT) (\\S+) HTTP/1\\.1\r\n(.*?)\r\n\r\n");

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Pattern cutPath;
    private volatile long cutAfter;
    private final AtomicBoolean cut = new AtomicBoolean();
    private final AtomicLong cutAt = new AtomicLong(-1);

    CuttingProxy(InetSocketAddress upstream) throws IOException {
        this.upstream = upstream;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "cutting-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
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

    /** The request heads forwarded so far ("GET /path HTTP/1.1" and the header lines), oldest first. */
    List<String> requests() {
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

        void upstream() {
            StringBuilder pending = new StringBuilder();
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    // Heads are ASCII; bodies (feedback JSON) are read as Latin-1 and only searched for the next head.
                    pending.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    Matcher m = REQUEST_HEAD.matcher(pending);
                    int consumed = 0;
                    while (m.find()) {
                        heads.add(m.group(1) + " " + m.group(2) + "\n" + m.group(3));
                        Pattern armed = cutPath;
                        if (armed != null && m.group(1).equals("GET") && armed.matcher(m.group(2)).matches()
                                && !cut.getAndSet(true)) {
                            cutting = true;
                        }
                        consumed = m.end();
                    }
                    pending.delete(0, consumed);
                    if (pending.length() > 1 << 20) pending.delete(0, pending.length() - 64 * 1024);
                    out.write(buf, 0, n);
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

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) s.close();
    }
}
