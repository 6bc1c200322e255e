package dev.modelyard.wire.ddi;

import dev.modelyard.wire.trust.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The messages of a device's idle poll loop (the base poll's answer, configData, feedback without
 * serving health) in JSON without a data-binding library, for a device daemon whose memory is
 * counted: a JSON binding loads several hundred classes that an idle device then carries for
 * nothing. The bytes are the same JSON as {@code WireJson} writes and reads (absent fields left
 * out, unknown fields ignored); what this codec cannot handle exactly it declines with an empty
 * answer, and the caller uses {@code WireJson} instead, so its answers are never approximations.
 */
public final class DdiJson {

    private DdiJson() {
    }

    /**
     * The answer to a base poll, or empty when the body is not in the plain shape this reader
     * takes (not strict JSON, e.g. with fractions or duplicate keys, or a field of another type
     * than hawkBit's): such a body is for a full JSON binding to read or refuse.
     */
    public static Optional<ControllerBase> readControllerBase(byte[] utf8) {
        try {
            if (!(CanonicalJson.parse(utf8) instanceof Map<?, ?> root)) return Optional.empty();
            return Optional.of(new ControllerBase(config(root.get("config")), links(root.get("_links"))));
        } catch (IllegalArgumentException | ClassCastException e) {
            return Optional.empty();
        }
    }

    private static ControllerBase.Config config(Object value) {
        if (value == null) return null;
        Object polling = ((Map<?, ?>) value).get("polling");
        if (polling == null) return new ControllerBase.Config(null);
        return new ControllerBase.Config(new ControllerBase.Polling((String) ((Map<?, ?>) polling).get("sleep")));
    }

    private static Map<String, Link> links(Object value) {
        if (value == null) return null;
        Map<String, Link> links = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            links.put((String) e.getKey(), e.getValue() == null ? null : new Link((String) ((Map<?, ?>) e.getValue()).get("href")));
        }
        return links;
    }

    /** The body of {@code PUT configData}, or empty when a value cannot be written as strict JSON (a lone surrogate). */
    public static Optional<byte[]> write(ConfigData configData) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "data", configData.data() == null ? null : new LinkedHashMap<String, Object>(configData.data()));
        put(m, "mode", configData.mode());
        return bytes(m);
    }

    /**
     * The body of a feedback, or empty when it carries serving health (its figures are fractions,
     * which this writer does not write) or a value that cannot be written as strict JSON.
     */
    public static Optional<byte[]> write(Feedback feedback) {
        if (feedback.modelyardHealth() != null) return Optional.empty();
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "id", feedback.id());
        put(m, "time", feedback.time());
        put(m, "timestamp", feedback.timestamp());
        put(m, "status", feedback.status() == null ? null : status(feedback.status()));
        put(m, "modelyardTransfers", feedback.modelyardTransfers() == null ? null : transfers(feedback.modelyardTransfers()));
        return bytes(m);
    }

    private static Map<String, Object> status(Feedback.Status s) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "execution", s.execution());
        if (s.result() != null) {
            Map<String, Object> result = new LinkedHashMap<>();
            put(result, "finished", s.result().finished());
            if (s.result().progress() != null) {
                Map<String, Object> progress = new LinkedHashMap<>();
                put(progress, "cnt", s.result().progress().cnt());
                put(progress, "of", s.result().progress().of());
                result.put("progress", progress);
            }
            m.put("result", result);
        }
        put(m, "code", s.code());
        put(m, "details", s.details() == null ? null : new ArrayList<Object>(s.details()));
        return m;
    }

    private static List<Object> transfers(List<Feedback.Transfer> transfers) {
        List<Object> list = new ArrayList<>();
        for (Feedback.Transfer t : transfers) {
            Map<String, Object> m = new LinkedHashMap<>();
            put(m, "file", t.file());
            put(m, "kind", t.kind());
            put(m, "method", t.method());
            put(m, "base", t.base());
            m.put("bytes", t.bytes());
            m.put("fullSize", t.fullSize());
            put(m, "fallback", t.fallback());
            list.add(m);
        }
        return list;
    }

    /** As {@code WireJson} writes: a null field is left out. */
    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) m.put(key, value);
    }

    private static Optional<byte[]> bytes(Map<String, Object> m) {
        try {
            return Optional.of(CanonicalJson.toCompactString(m).getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
