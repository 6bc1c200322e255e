package dev.modelyard.wire.ddi;

import java.util.List;
import java.util.Locale;

/**
 * The body a device posts to {@code deploymentBase/{id}/feedback} and {@code cancelAction/{id}/feedback}.
 * Current hawkBit clients send {@code timestamp} (epoch milliseconds); older ones send {@code id}
 * and {@code time} (e.g. {@code 20140511T121314}) instead. Both forms fit this record.
 *
 * <p>{@code modelyardHealth} is a Modelyard extension: the serving health of the models the action
 * swapped in ({@link ServingHealth}). Stock hawkBit clients do not send it; it is null then and
 * left out of the JSON.
 */
public record Feedback(String id, String time, Long timestamp, Status status, List<ServingHealth> modelyardHealth,
                       List<Transfer> modelyardTransfers) {

    /** A feedback body without the transfer extension. */
    public Feedback(String id, String time, Long timestamp, Status status, List<ServingHealth> modelyardHealth) {
        this(id, time, timestamp, status, modelyardHealth, null);
    }

    /** A feedback body without the health extension, as stock hawkBit clients send it. */
    public Feedback(String id, String time, Long timestamp, Status status) {
        this(id, time, timestamp, status, null, null);
    }

    /**
     * Modelyard's extension {@code modelyardTransfers}: how the device got a payload of the action,
     * sent by Modelyard's updater with the feedback that reports the download done
     * ({@code downloaded}, or the closing one when that was lost).
     *
     * @param file     the payload's filename
     * @param kind     {@link #FULL}, {@link #COMPRESSED} or {@link #DELTA}: what rebuilt the verified file
     * @param method   the delta's encoder, for compressed and delta (null for full)
     * @param base     the delta's base SHA-256 (delta only)
     * @param bytes    bytes the device downloaded for this file, every attempt included (a failed delta too)
     * @param fullSize the payload's size: what a full download costs
     * @param fallback why a delta or compressed download was given up for the next way (null: none was)
     */
    public record Transfer(String file, String kind, String method, String base, long bytes, long fullSize, String fallback) {
        public static final String FULL = "full";
        public static final String COMPRESSED = "compressed";
        public static final String DELTA = "delta";
    }

    /** The transfer reports in this body; empty when the client sent none. */
    public List<Transfer> transfers() {
        return modelyardTransfers == null ? List.of() : modelyardTransfers;
    }

    /**
     * @param execution one of {@link Execution}'s wire names
     * @param code      optional device-specific status code
     * @param details   messages for people
     */
    public record Status(String execution, Result result, Integer code, List<String> details) {
    }

    /** @param finished success, failure or none */
    public record Result(String finished, Progress progress) {
    }

    public record Progress(Integer cnt, Integer of) {
    }

    /** What the device is doing. */
    public enum Execution {
        CLOSED, PROCEEDING, CANCELED, SCHEDULED, REJECTED, RESUMED, DOWNLOADED, DOWNLOAD;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Case-insensitive; throws {@link IllegalArgumentException} for anything else. */
        public static Execution parse(String text) {
            if (text != null) {
                for (Execution e : values()) {
                    if (e.wireName().equalsIgnoreCase(text.strip())) return e;
                }
            }
            throw new IllegalArgumentException("status.execution: '" + text + "' is not one of closed, proceeding, "
                    + "canceled, scheduled, rejected, resumed, downloaded, download");
        }
    }

    /** How it ended. */
    public enum Finished {
        SUCCESS, FAILURE, NONE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Case-insensitive; a missing value is {@link #NONE}. */
        public static Finished parse(String text) {
            if (text == null) return NONE;
            for (Finished f : values()) {
                if (f.wireName().equalsIgnoreCase(text.strip())) return f;
            }
            throw new IllegalArgumentException("status.result.finished: '" + text + "' is not one of success, failure, none");
        }
    }

    /** A current-style feedback body. */
    public static Feedback of(Execution execution, Finished finished, List<String> details) {
        return of(execution, finished, details, null);
    }

    /** A current-style feedback body with the serving health of the action's models (null or empty: none). */
    public static Feedback of(Execution execution, Finished finished, List<String> details, List<ServingHealth> health) {
        return of(execution, finished, details, health, null);
    }

    /** A current-style feedback body with serving health and transfer reports (null or empty: none). */
    public static Feedback of(Execution execution, Finished finished, List<String> details, List<ServingHealth> health,
                              List<Transfer> transfers) {
        return new Feedback(null, null, System.currentTimeMillis(),
                new Status(execution.wireName(), new Result(finished.wireName(), null), null, details),
                health == null || health.isEmpty() ? null : List.copyOf(health),
                transfers == null || transfers.isEmpty() ? null : List.copyOf(transfers));
    }

    /** The health reports in this body; empty when the client sent none. */
    public List<ServingHealth> health() {
        return modelyardHealth == null ? List.of() : modelyardHealth;
    }
}
