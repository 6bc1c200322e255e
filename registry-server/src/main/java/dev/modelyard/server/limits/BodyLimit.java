package dev.modelyard.server.limits;

import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.ProblemCode;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Bounds bodies the REST layer reads into objects (JSON, text): past
 * {@code modelyard.limits.bodies.max-non-upload} the read fails with 413 ({@code body-too-large}).
 * {@link RequestGate} refuses a too large Content-Length before reading; this catches chunked
 * bodies and lying lengths. Uploads take the body as a stream and are bounded by the upload size.
 *
 * <p>Concurrency: stateless; one counting stream per request, read by one thread.
 */
@Provider
public class BodyLimit implements ReaderInterceptor {

    private final Limits limits;

    public BodyLimit(Limits limits) {
        this.limits = limits;
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        if (!InputStream.class.isAssignableFrom(context.getType())) {
            context.setInputStream(new Counting(context.getInputStream(), limits.maxNonUploadBody()));
        }
        return context.proceed();
    }

    private static final class Counting extends FilterInputStream {
        private final long max;
        private long read;

        Counting(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count(n);
            return n;
        }

        private void count(long n) {
            read += n;
            if (read > max) {
                throw new ApiException(413, ProblemCode.BODY_TOO_LARGE, "the request body is larger than " + max
                        + " bytes, the limit for requests that are not uploads", Map.of("Connection", "close"));
            }
        }
    }
}
