package dev.modelyard.server.http;

import java.util.List;

/** One page of a list endpoint. {@code total} counts every match across pages. */
public record Page<T>(List<T> items, int page, int size, long total) {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 500;

    /** Validates paging query parameters: page from 0, size from 1 to {@value #MAX_SIZE}. */
    public static io.quarkus.panache.common.Page request(Integer page, Integer size) {
        int p = page == null ? 0 : page;
        int s = size == null ? DEFAULT_SIZE : size;
        if (p < 0) throw ApiException.badRequest("page: must be 0 or more");
        if (s < 1 || s > MAX_SIZE) throw ApiException.badRequest("size: must be between 1 and " + MAX_SIZE);
        return io.quarkus.panache.common.Page.of(p, s);
    }
}
