package dev.modelyard.server.storage;

import dev.modelyard.testing.S3Server;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Runs the server on the S3 store, backed by a real S3 server on loopback. */
public class S3StoreProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3Resource.class));
    }

    public static class S3Resource implements QuarkusTestResourceLifecycleManager {

        private S3Server s3;
        private Path work;

        @Override
        public Map<String, String> start() {
            try {
                work = Files.createTempDirectory("modelyard-s3-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            s3 = S3Server.start(work);
            return Map.of(
                    "modelyard.storage.type", "s3",
                    "modelyard.storage.s3.endpoint", s3.endpoint(),
                    "modelyard.storage.s3.access-key", S3Server.ACCESS_KEY,
                    "modelyard.storage.s3.secret-key", S3Server.SECRET_KEY,
                    "modelyard.storage.s3.bucket", "modelyard-api-test",
                    "modelyard.storage.s3.part-size", "5M");
        }

        @Override
        public void stop() {
            if (s3 != null) s3.close();
        }
    }
}
