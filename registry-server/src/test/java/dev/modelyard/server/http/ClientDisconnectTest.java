package dev.modelyard.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that goes away (an upload cut off, a download aborted) is routine, not a server
 * error: nothing about it may be logged at ERROR.
 */
@QuarkusTest
class ClientDisconnectTest {

    /** Larger than what the socket buffers on both sides hold, so the server is still sending when the client leaves. */
    private static final int LARGE = 7 * 1024 * 1024;

    /** How long errors are still captured after the server recorded the cut requests. */
    private static final Duration EXTRA_CAPTURE = Duration.ofSeconds(5);

    @TestHTTPResource("/")
    URL base;

    @Inject
    MeterRegistry registry;

    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(r.getLoggerName() + ": " + r.getMessage() + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureErrors() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void aCutUploadAndAnAbortedDownloadLogNoError() throws Exception {
        String model = Api.createModel("disconnect");
        Api.createVersion(model, "1.0.0");
        Api.upload(model, "1.0.0", "large.onnx", Api.onnxModel(LARGE, 5), null).then().statusCode(201);
        String content = "/api/v1/models/" + model + "/versions/1.0.0/artifacts/large.onnx/content";

        long before = requestsEnded();
        cutUpload("/api/v1/models/" + model + "/versions/1.0.0/artifacts/cut.onnx");
        abortDownload(content);
        // Both requests are over for the server once it has recorded them (it records failed ones too).
        Api.await("the server to finish the two cut requests", Duration.ofSeconds(60), () -> requestsEnded() >= before + 2);
        // The server still works, and nothing about the departed clients was an error.
        Api.admin().get(content).then().statusCode(200);
        // Vert.x may report a connection's failure (a failed sendfile) after the request was
        // recorded, when it closes the connection; keep listening a while longer, so that such an
        // error fails the test. The window only bounds how late an error can be caught: passing
        // never waits on it.
        Thread.sleep(EXTRA_CAPTURE.toMillis());
        assertEquals(List.of(), List.copyOf(errors));
    }

    @Test
    void aPeerOfTheServerResettingItsConnectionIsTheServersError() throws Exception {
        // The same words a departed client's failure carries, but the client is still here to read the answer.
        Api.admin().header(ObservedResponses.SKIP_HEADER, "test-only resource").get("/test-only/failing-peer").then().statusCode(500)
                .contentType("application/problem+json").body("code", org.hamcrest.Matchers.equalTo("internal-error"));
        Api.await("the failure to be logged as an error", Duration.ofSeconds(60),
                () -> errors.stream().anyMatch(e -> e.contains("unexpected failure while handling a request")));
    }

    private long requestsEnded() {
        return registry.find("http.server.requests").timers().stream().mapToLong(Timer::count).sum();
    }

    /** Announces 1 MiB, sends 64 KiB and closes the connection. */
    private void cutUpload(String path) throws Exception {
        try (Socket s = socket()) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestServer.ADMIN_TOKEN
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]);
            out.flush();
            s.setSoLinger(true, 0); // reset, as a dropped uplink looks to the server
        }
    }

    /** Reads the first 64 KiB of a large download and resets the connection. */
    private void abortDownload(String path) throws Exception {
        try (Socket s = socket()) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + TestServer.ADMIN_TOKEN + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[8192];
            int read = 0;
            while (read < 64 * 1024) {
                int n = in.read(buffer);
                if (n < 0) throw new AssertionError("the server ended the download after " + read + " bytes");
                read += n;
            }
            s.setSoLinger(true, 0);
        }
    }

    private Socket socket() throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(8 * 1024);
        s.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 30_000);
        s.setSoTimeout(60_000);
        return s;
    }
}
