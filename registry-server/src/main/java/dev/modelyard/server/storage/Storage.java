package dev.modelyard.server.storage;

import dev.modelyard.server.config.ModelyardConfig;
import io.minio.MinioClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/** Builds the configured blob store and the staging area next to it. */
@ApplicationScoped
public class Storage {

    private static final Logger LOG = Logger.getLogger(Storage.class);

    private final ModelyardConfig config;
    private MinioClient minio;

    public Storage(ModelyardConfig config) {
        this.config = config;
    }

    @Produces
    @Singleton
    BlobStore blobStore() {
        try {
            ModelyardConfig.Storage s = config.storage();
            BlobStore store = switch (s.type()) {
                case FILESYSTEM -> new FileSystemBlobStore(
                        s.filesystemRoot().orElse(config.dataDir().resolve("blobs")));
                case S3 -> s3(s.s3());
            };
            LOG.infof("blob store: %s", store.kind());
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the blob store: " + e.getMessage(), e);
        }
    }

    private BlobStore s3(ModelyardConfig.S3 s3) throws IOException {
        String endpoint = s3.endpoint().orElseThrow(() -> new IllegalStateException(
                "modelyard.storage.type=s3 needs modelyard.storage.s3.endpoint (MODELYARD_STORAGE_S3_ENDPOINT)"));
        MinioClient.Builder b = MinioClient.builder().endpoint(endpoint).region(s3.region());
        if (s3.accessKey().isPresent()) {
            b.credentials(s3.accessKey().get(), s3.secretKey().orElseThrow(() -> new IllegalStateException(
                    "modelyard.storage.s3.access-key is set but modelyard.storage.s3.secret-key is not")));
        }
        minio = b.build();
        return new S3BlobStore(minio, s3.bucket(), s3.partSize().asLongValue());
    }

    @Produces
    @Singleton
    StagingArea stagingArea() {
        try {
            Path dir = config.dataDir().resolve("staging");
            return new StagingArea(dir, config.storage().type() == ModelyardConfig.StoreType.FILESYSTEM);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the staging directory: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() throws Exception {
        if (minio != null) {
            minio.close();
        }
    }
}
