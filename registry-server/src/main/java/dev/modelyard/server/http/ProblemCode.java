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
    /** The server cannot reach its database right now (503 with {@code Retry-After}): send the request again. */
    DATABASE_UNAVAILABLE("database-unavailable");

    private final String wireName;

    ProblemCode(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }
}
