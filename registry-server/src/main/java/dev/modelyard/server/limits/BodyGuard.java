package dev.modelyard.server.limits;

import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiException;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Watches every body the REST layer reads, streamed uploads included, on the thread that reads
 * it: one that arrives slower than {@link BodyPace} over its window ends with 408
 * ({@code upload-too-slow}); one that is not an upload and passes
 * {@code modelyard.limits.bodies.max-non-upload} ends with 413 ({@code body-too-large}).
 * {@link RequestGate} refuses a too large Content-Length before reading; this catches chunked
 * bodies and lying lengths. The check runs where the body is read so that the answer is written
 * by the REST layer like any other, never twice. A body that stops altogether is ended by the
 * HTTP layer: a read that waits longer than {@code quarkus.http.read-timeout} fails and the HTTP
 * layer closes the connection; the failure is reported as 408 too, which a client sees when the
 * answer is written before the close.
 *
 * <p>Concurrency: stateless; one watched stream per request, read by one thread.
 */
@Provider
public class BodyGuard implements ReaderInterceptor {

    private final Limits limits;
    private final long readTimeoutNanos;

    public BodyGuard(Limits limits, @ConfigProperty(name = "quarkus.http.read-timeout") Duration readTimeout) {
        this.limits = limits;
        this.readTimeoutNanos = readTimeout.toNanos();
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        boolean upload = InputStream.class.isAssignableFrom(context.getType());
        Watched body = new Watched(context.getInputStream(), upload ? Long.MAX_VALUE : limits.maxNonUploadBody(),
                limits.bodyPace(), readTimeoutNanos, limits::slowBodyEnded);
        context.setInputStream(body);
        if (upload) return context.proceed();
        try {
            return context.proceed();
        } catch (RuntimeException | IOException e) {
            // The JSON reader turns a failing stream into its own 400; the real reason is ours.
            if (body.refusal != null) throw body.refusal;
            throw e;
        }
    }

    private static final class Watched extends FilterInputStream {
        private final long max;
        private final BodyPace pace;
        private final long readTimeoutNanos;
        private final Runnable onTooSlow;
        private long read;
        private long windowStart = System.nanoTime();
        private long readAtWindowStart;
        ApiException refusal;

        Watched(InputStream in, long max, BodyPace pace, long readTimeoutNanos, Runnable onTooSlow) {
            super(in);
            this.max = max;
            this.pace = pace;
            this.readTimeoutNanos = readTimeoutNanos;
            this.onTooSlow = onTooSlow;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long start = System.nanoTime();
            int n;
            try {
                n = super.read(b, off, len);
            } catch (IOException e) {
                // The HTTP layer's read timeout (it measures in milliseconds, hence the margin).
                long waited = System.nanoTime() - start;
                if (waited < readTimeoutNanos - readTimeoutNanos / 10) throw e;
                onTooSlow.run();
                throw refuse(tooSlow("no bytes for " + Duration.ofNanos(waited).toSeconds() + " s"));
            }
            if (n > 0) {
                read += n;
                if (read > max) throw refuse(tooLarge());
            }
            if (n >= 0) checkPace();
            return n;
        }

        private void checkPace() {
            if (pace.off()) return;
            long now = System.nanoTime();
            if (now - windowStart < pace.window().toNanos()) return;
            long gained = read - readAtWindowStart;
            if (gained < pace.minBytesPerSecond() * ((now - windowStart) / 1e9)) {
                onTooSlow.run();
                throw refuse(tooSlow(gained + " bytes in the last " + Duration.ofNanos(now - windowStart).toSeconds() + " s"));
            }
            windowStart = now;
            readAtWindowStart = read;
        }

        private ApiException refuse(ApiException e) {
            refusal = e;
            return e;
        }

        private ApiException tooLarge() {
            return ApiException.of(ErrorCode.BODY_TOO_LARGE, "the request body is larger than " + max
                    + " bytes, the limit for requests that are not uploads", Map.of("Connection", "close"));
        }

        private ApiException tooSlow(String seen) {
            return ApiException.of(ErrorCode.UPLOAD_TOO_SLOW, "the request body arrived slower than "
                    + pace.minBytesPerSecond() + " bytes/s (" + seen + ") and was ended after " + read
                    + " bytes; send it again (a resumable upload keeps what arrived: ask HEAD for the offset)",
                    Map.of("Connection", "close"));
        }
    }
}
