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
    public record Chunk(String part, String version, String name, List<Artifact> artifacts, List<KeyValue> metadata,
                        List<Delta> modelyardDeltas) {

        /** A chunk as hawkBit sends it, without Modelyard's delta extension. */
        public Chunk(String part, String version, String name, List<Artifact> artifacts, List<KeyValue> metadata) {
            this(part, version, name, artifacts, metadata, null);
        }

        /** The deltas offered; empty when none (always for stock clients). */
        public List<Delta> deltas() {
            return modelyardDeltas == null ? List.of() : modelyardDeltas;
        }
    }

    /**
     * Modelyard's extension of a chunk ({@code modelyardDeltas}), sent only to Modelyard's updater
     * when it reported that it applies the delta format ({@link DeviceAttributes#DELTA}); stock
     * clients never see it. A way to get the chunk's payload ({@code target}, the filename of an
     * artifact of the chunk) with fewer bytes: a delta file (the {@code modelyard-delta} format)
     * that rebuilds it from {@code base}, a file the device holds, or from nothing when
     * {@code base} is null (a compressed full download). The result must still match the payload's
     * signed size and SHA-256; the delta itself is not signed, and the device falls back to the
     * payload on any failure.
     *
     * @param filename the delta's name in the chunk's module (download links as artifacts have)
     * @param target   the payload's filename it rebuilds
     * @param base     lower-case hex SHA-256 of the file it applies to; null: none needed
     * @param method   the encoder that made it (informational): onnx-tensors, tflite-tensors, cdc, planes, zstd
     * @param format   the delta format version
     * @param size     the delta's size in bytes
     * @param hashes   the delta file's digests (of the delta, not of what it rebuilds)
     */
    public record Delta(String filename, String target, String base, String method, int format, long size, Hashes hashes,
                        Map<String, Link> _links) {

        public String href(String rel) {
            Link l = _links == null ? null : _links.get(rel);
            return l == null ? null : l.href();
        }
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
