package dev.modelyard.server.storage;

import java.util.Map;

/** The S3 store with downloads answered by redirects to presigned URLs. */
public class PresignedDownloadsProfile extends S3StoreProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("modelyard.storage.s3.presigned-downloads.enabled", "true",
                "modelyard.storage.s3.presigned-downloads.ttl", "PT5M");
    }
}
