package dev.modelyard.server.http;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Stable, machine-readable kinds of problem: the {@code code} member of a problem body. Clients
 * may branch on it; the {@code detail} text is for people and may change. A code, once
 * published, keeps its name.
 */
public enum ProblemCode {

    /** The request body names a field the operation does not take; see {@code field} and {@code accepted}. */
    UNKNOWN_FIELD("unknown-field"),
    /** The request names a query parameter the operation does not take; see {@code parameter} and {@code accepted}. */
    UNKNOWN_QUERY_PARAMETER("unknown-query-parameter"),
    /** The client sent more requests than its rate limit allows (per token or per address); see {@code Retry-After}. */
    RATE_LIMITED("rate-limited"),
    /** As many uploads are in progress as allowed (on the server, with this token or from this address); see {@code Retry-After}. */
    TOO_MANY_UPLOADS("too-many-uploads"),
    /** The request body arrived slower than the server's minimum rate and was ended; send it again. */
    UPLOAD_TOO_SLOW("upload-too-slow"),
    /** A request that is not an upload has a body larger than the server takes for it. */
    BODY_TOO_LARGE("body-too-large");

    private final String wireName;

    ProblemCode(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }
}
