package dev.modelyard.server.storage;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.http.Method;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Blobs as objects {@code blobs/sha256/<64 hex>} in an S3 bucket (MinIO, AWS, Ceph, …). Large
 * files go up as multipart uploads, which S3 makes visible only when complete.
 */
public class S3BlobStore implements BlobStore {

    private static final String PREFIX = "blobs/sha256/";

    private final MinioClient client;
    private final String bucket;
    private final long partSize;
    /** Signs presigned URLs: the same client, or one for the endpoint devices reach the bucket at. */
    private final MinioClient presigner;

    public S3BlobStore(MinioClient client, String bucket, long partSize) throws IOException {
        this(client, bucket, partSize, client);
    }

    public S3BlobStore(MinioClient client, String bucket, long partSize, MinioClient presigner) throws IOException {
        this.client = client;
        this.presigner = presigner;
        this.bucket = bucket;
        this.partSize = partSize;
        ensureBucket();
    }

    private void ensureBucket() throws IOException {
        call(() -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            return null;
        });
    }

    @Override
    public String kind() {
        return "s3";
    }

    private static String key(String sha256) {
        return PREFIX + sha256;
    }

    @Override
    public boolean exists(String sha256) throws IOException {
        try {
            client.statObject(StatObjectArgs.builder().bucket(bucket).object(key(sha256)).build());
            return true;
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code()) || "NoSuchObject".equals(e.errorResponse().code())
                    || e.response().code() == 404) {
                return false;
            }
            throw new IOException("S3 stat of " + sha256 + " failed: " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IOException("S3 stat of " + sha256 + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String sha256, Path verifiedFile) throws IOException {
        try {
            if (!exists(sha256)) {
                call(() -> client.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(key(sha256))
                        .filename(verifiedFile.toString(), partSize)
                        .contentType("application/octet-stream").build()));
            }
        } finally {
            Files.deleteIfExists(verifiedFile);
        }
    }

    @Override
    public InputStream open(String sha256, long offset, long length) throws IOException {
        return call(() -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key(sha256))
                .offset(offset).length(length).build()));
    }

    @Override
    public Optional<Path> localPath(String sha256) {
        return Optional.empty();
    }

    @Override
    public void delete(String sha256) throws IOException {
        call(() -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key(sha256)).build());
            return null;
        });
    }

    @Override
    public Optional<java.net.URI> presignedGet(String sha256, java.time.Duration ttl) throws IOException {
        // Signed locally (the client knows its region): no request to S3.
        String url = call(() -> presigner.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.GET)
                .bucket(bucket).object(key(sha256)).expiry((int) Math.max(1, ttl.toSeconds())).build()));
        return Optional.of(java.net.URI.create(url));
    }

    @Override
    public void forEachWrittenBefore(Instant cutoff, Consumer<String> action) throws IOException {
        Iterable<Result<Item>> items = client.listObjects(
                ListObjectsArgs.builder().bucket(bucket).prefix(PREFIX).recursive(true).build());
        for (Result<Item> r : items) {
            Item item = call(r::get);
            String digest = item.objectName().substring(PREFIX.length());
            if (Digests.isSha256Hex(digest) && item.lastModified().toInstant().isBefore(cutoff)) {
                action.accept(digest);
            }
        }
    }

    @Override
    public void checkReachable() throws IOException {
        call(() -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    }

    private interface S3Call<T> {
        T run() throws Exception;
    }

    private <T> T call(S3Call<T> c) throws IOException {
        try {
            return c.run();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("S3 request to bucket '" + bucket + "' failed: " + e.getMessage(), e);
        }
    }
}
