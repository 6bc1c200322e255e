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
import java.util.Optional;
import org.jboss.logging.Logger;

/** Builds the configured blob store and the staging area next to it. */
@ApplicationScoped
public class Storage {

    private static final Logger LOG = Logger.getLogger(Storage.class);

    private final ModelyardConfig config;
    private MinioClient minio;
    private MinioClient presigner;

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
        minio = client(s3, endpoint);
        Optional<String> publicEndpoint = s3.presignedDownloads().endpoint();
        if (publicEndpoint.isPresent()) presigner = client(s3, publicEndpoint.get());
        return new S3BlobStore(minio, s3.bucket(), s3.partSize().asLongValue(), presigner == null ? minio : presigner);
    }

    private static MinioClient client(ModelyardConfig.S3 s3, String endpoint) {
        MinioClient.Builder b = MinioClient.builder().endpoint(endpoint).region(s3.region());
        if (s3.accessKey().isPresent()) {
            b.credentials(s3.accessKey().get(), s3.secretKey().orElseThrow(() -> new IllegalStateException(
                    "modelyard.storage.s3.access-key is set but modelyard.storage.s3.secret-key is not")));
        }
        return b.build();
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

    /**
     * Resumable uploads stage where every replica sees them: in the bucket with the S3 store, in
     * the (shared) staging directory with the filesystem store. The blob store is a parameter so
     * that the S3 client exists.
     */
    @Produces
    @Singleton
    UploadStaging uploadStaging(BlobStore store, StagingArea staging) {
        ModelyardConfig.Storage s = config.storage();
        if (store instanceof S3BlobStore) {
            return new S3UploadStaging(minio, s.s3().bucket(), s.s3().partSize().asLongValue(), staging);
        }
        return new LocalUploadStaging(staging);
    }

    @PreDestroy
    void close() throws Exception {
        if (minio != null) {
            minio.close();
        }
        if (presigner != null) {
            presigner.close();
        }
    }
}
