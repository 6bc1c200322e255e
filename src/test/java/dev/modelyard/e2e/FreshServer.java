package dev.modelyard.e2e;

import dev.modelyard.client.ModelyardClient;
import dev.modelyard.testing.TestPostgres;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.KeyFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The packaged server on a database of its own, for the tests of one class: registered as a static
 * extension, it starts before them, and after them it is stopped, its database dropped and its
 * files removed. It has the admin token {@link #ADMIN} and a release key of its own, so versions
 * can be published.
 */
public final class FreshServer implements BeforeAllCallback, AfterAllCallback {

    public static final String ADMIN = "e2e-admin-token-0123456789abcdef";

    private final String purpose;
    private final String heap;
    private final Map<String, String> env;
    private Path work;
    private TestPostgres db;
    private ServerProcess process;

    /**
     * @param purpose names the database (see {@link TestPostgres#create})
     * @param env     settings added to the admin token and the release key
     */
    public FreshServer(String purpose, String heap, Map<String, String> env) {
        this.purpose = purpose;
        this.heap = heap;
        this.env = env;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        work = Files.createTempDirectory("modelyard-e2e-");
        KeyFile.save(work.resolve("release-key.json"), Ed25519.generate(), null);
        db = TestPostgres.create(purpose);
        Map<String, String> all = new HashMap<>(env);
        all.put("MODELYARD_ADMIN_TOKEN", ADMIN);
        all.put("MODELYARD_SIGNING_RELEASE_KEY_FILE", work.resolve("release-key.json").toString());
        process = ServerProcess.start(db.jdbcUrl(), data(), heap, all);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (process != null) process.close();
        } finally {
            if (db != null) db.close();
            if (work != null) deleteTree(work);
        }
    }

    /** A directory of this server's tests; the server's data directory is {@link #data()} inside it. */
    public Path work() {
        return work;
    }

    public Path data() {
        return work.resolve("data");
    }

    public TestPostgres db() {
        return db;
    }

    public ServerProcess process() {
        return process;
    }

    /** A client of the management API as the admin. */
    public ModelyardClient admin() {
        return process.client(ADMIN);
    }

    /**
     * Starts a raw artifact upload (PUT of {@code size} bytes of a {@link PatternStream} with {@code seed})
     * as the admin and sends only its first {@code sendBytes}: the request stays open, as a client's
     * would when it dies or the server is cut off mid-upload. The caller disconnects it.
     */
    HttpURLConnection partialUpload(String path, long size, long seed, long sendBytes) throws IOException {
        HttpURLConnection c = (HttpURLConnection) process.uri(path).toURL().openConnection();
        c.setRequestMethod("PUT");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(size);
        c.setRequestProperty("Authorization", "Bearer " + ADMIN);
        c.setRequestProperty("Content-Type", "application/octet-stream");
        OutputStream out = c.getOutputStream();
        InputStream data = new PatternStream(size, seed);
        byte[] buf = new byte[1 << 16];
        for (long sent = 0; sent < sendBytes; ) {
            int n = data.read(buf);
            out.write(buf, 0, n);
            sent += n;
        }
        out.flush();
        return c;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
