package dev.modelyard.server.storage;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.UploadObjectArgs;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Resumable uploads' bytes in the S3 bucket, so every replica sees them: each append becomes one
 * object {@code staging/uploads/<session>/<offset, 20 digits>}. An append is first received into
 * a local temporary file (its length is then known, and a cut-off body keeps what arrived), then
 * put as its object, and only then acknowledged. S3's multipart upload is not used for the
 * session itself because its parts must be at least 5 MiB except the last, while an append may be
 * any length (the console sends 4 MiB; a cut append keeps whatever arrived).
 * <p>
 * Finishing reads the session's objects in offset order from 0 into a local staged file,
 * hashing them, and stops at the acknowledged length: an object of an append that was never
 * acknowledged (its replica died between the put and the acknowledgement) lies at an offset the
 * chain does not reach, or is overwritten by the append that retries it at the same offset.
 */
public class S3UploadStaging implements UploadStaging {

    static final String PREFIX = "staging/uploads/";
    private static final int BUFFER = 256 * 1024;

    private final MinioClient client;
    private final String bucket;
    private final long partSize;
    private final StagingArea local;

    public S3UploadStaging(MinioClient client, String bucket, long partSize, StagingArea local) {
        this.client = client;
        this.bucket = bucket;
        this.partSize = partSize;
        this.local = local;
    }

    @Override
    public String id() {
        return "s3:" + bucket;
    }

    private static String prefix(UUID session) {
        return PREFIX + session + "/";
    }

    private static String key(UUID session, long offset) {
        return prefix(session) + String.format("%020d", offset);
    }

    @Override
    public long append(UUID session, long offset, InputStream in, long maxTotal) throws IOException {
        Path chunk = local.dir().resolve("chunk-" + UUID.randomUUID() + ".part");
        try {
            long length;
            StagingArea.CutShort cut = null;
            try {
                length = local.append(chunk, 0, in, maxTotal - offset);
            } catch (StagingArea.CutShort c) {
                cut = c;
                length = c.length();
            }
            if (length > 0) put(key(session, offset), chunk);
            if (cut != null) throw new StagingArea.CutShort(offset + length, cut.getCause());
            return offset + length;
        } finally {
            Files.deleteIfExists(chunk);
        }
    }

    private void put(String key, Path file) throws IOException {
        call(() -> client.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(key)
                .filename(file.toString(), partSize).contentType("application/octet-stream").build()));
    }

    @Override
    public StagedFile seal(UUID session, long acknowledged) throws IOException {
        TreeMap<Long, Long> chunks = new TreeMap<>();
        for (Map.Entry<String, Long> o : list(prefix(session)).entrySet()) {
            offsetOf(o.getKey()).ifPresent(off -> chunks.put(off, o.getValue()));
        }
        Path file = local.dir().resolve("upload-" + UUID.randomUUID() + ".part");
        MessageDigest sha = Digests.sha256();
        boolean ok = false;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long at = 0;
            while (at < acknowledged) {
                Long size = chunks.get(at);
                if (size == null || size == 0) {
                    throw new IOException("the bucket holds no data of the upload at offset " + at);
                }
                long take = Math.min(size, acknowledged - at);
                copy(key(session, at), take, out, sha);
                at += take;
            }
            out.force(false);
            ok = true;
            return new StagedFile(file, Digests.hex(sha.digest()), acknowledged);
        } finally {
            if (!ok) Files.deleteIfExists(file);
        }
    }

    private void copy(String key, long length, FileChannel out, MessageDigest sha) throws IOException {
        try (InputStream in = call(() -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key)
                .offset(0L).length(length).build()))) {
            byte[] buf = new byte[BUFFER];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) throw new IOException("object " + key + " ended " + left + " bytes early");
                sha.update(buf, 0, n);
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                while (b.hasRemaining()) out.write(b);
                left -= n;
            }
        }
    }

    @Override
    public void discard(UUID session) throws IOException {
        for (String key : list(prefix(session)).keySet()) remove(key);
    }

    @Override
    public int sweep(Instant cutoff, Predicate<UUID> sessionExists) throws IOException {
        Map<UUID, Boolean> old = new HashMap<>();
        Iterable<Result<Item>> items = client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(PREFIX)
                .recursive(true).build());
        Map<String, UUID> keys = new HashMap<>();
        for (Result<Item> r : items) {
            Item item = call(r::get);
            UUID session = sessionOf(item.objectName());
            if (session == null) continue;
            keys.put(item.objectName(), session);
            // A session is gone only when all of its objects are old: a recent one may be an append in flight.
            old.merge(session, item.lastModified().toInstant().isBefore(cutoff), Boolean::logicalAnd);
        }
        int removed = 0;
        for (Map.Entry<UUID, Boolean> s : old.entrySet()) {
            if (!s.getValue() || sessionExists.test(s.getKey())) continue;
            for (Map.Entry<String, UUID> k : keys.entrySet()) {
                if (k.getValue().equals(s.getKey())) remove(k.getKey());
            }
            removed++;
        }
        return removed;
    }

    private static UUID sessionOf(String key) {
        if (!key.startsWith(PREFIX)) return null;
        String rest = key.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash < 0) return null;
        try {
            return UUID.fromString(rest.substring(0, slash));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static java.util.Optional<Long> offsetOf(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        try {
            return java.util.Optional.of(Long.parseLong(name));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** Object names under {@code prefix} with their sizes. */
    private Map<String, Long> list(String prefix) throws IOException {
        Map<String, Long> found = new HashMap<>();
        for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true).build())) {
            Item item = call(r::get);
            found.put(item.objectName(), item.size());
        }
        return found;
    }

    private void remove(String key) throws IOException {
        call(() -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
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
