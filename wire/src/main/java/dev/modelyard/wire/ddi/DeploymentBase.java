package dev.modelyard.wire.ddi;

import java.util.List;
import java.util.Map;

/**
 * The answer of {@code deploymentBase/{actionId}} (and {@code installedBase/{actionId}}): what to
 * download and install. {@code actionHistory} is present only when the device asked for it.
 */
public record DeploymentBase(String id, Deployment deployment, ActionHistory actionHistory) {

    /** Values of {@link Deployment#download()} and {@link Deployment#update()}. */
    public static final String FORCED = "forced";
    public static final String ATTEMPT = "attempt";
    public static final String SKIP = "skip";
    /** Values of {@link Deployment#maintenanceWindow()}: a window is open now, or none is. */
    public static final String AVAILABLE = "available";
    public static final String UNAVAILABLE = "unavailable";

    /**
     * @param download          forced, attempt or skip
     * @param update            forced, attempt or skip
     * @param maintenanceWindow available or unavailable; null when none is defined
     */
    public record Deployment(String download, String update, List<Chunk> chunks, String maintenanceWindow) {
    }

    /**
     * One software module. {@code metadata} is a key/value list, as hawkBit sends module metadata
     * marked for targets.
     */
    public record Chunk(String part, String version, String name, List<Artifact> artifacts, List<KeyValue> metadata) {
    }

    public record KeyValue(String key, String value) {
    }

    /** A file of a chunk with its digests; {@code _links} holds the download links by relation name. */
    public record Artifact(String filename, Hashes hashes, long size, Map<String, Link> _links) {

        public String href(String rel) {
            Link l = _links == null ? null : _links.get(rel);
            return l == null ? null : l.href();
        }
    }

    /** Lower-case hex digests. */
    public record Hashes(String sha1, String md5, String sha256) {
    }

    /** The action's status and its newest messages first. */
    public record ActionHistory(String status, List<String> messages) {
    }
}
