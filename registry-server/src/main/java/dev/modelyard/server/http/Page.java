package dev.modelyard.server.http;

import dev.modelyard.server.error.ErrorCode;
import java.util.List;

/** One page of a list endpoint. {@code total} counts every match across pages. */
public record Page<T>(List<T> items, int page, int size, long total) {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 500;
    /**
     * The last page a list may ask for. Bounded so that the offset (page × size, computed as an
     * {@code int} by the persistence layer) can never overflow: at most 2,000,000 × 500 = 10⁹.
     */
    public static final int MAX_PAGE = 2_000_000;

    /** Validates paging query parameters: page from 0 to {@value #MAX_PAGE}, size from 1 to {@value #MAX_SIZE}. */
    public static io.quarkus.panache.common.Page request(Integer page, Integer size) {
        int p = page == null ? 0 : page;
        int s = size == null ? DEFAULT_SIZE : size;
        if (p < 0 || p > MAX_PAGE) {
            throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, "page", "page: must be between 0 and " + MAX_PAGE);
        }
        if (s < 1 || s > MAX_SIZE) {
            throw ApiException.parameter(ErrorCode.INVALID_PARAMETER, "size", "size: must be between 1 and " + MAX_SIZE);
        }
        return io.quarkus.panache.common.Page.of(p, s);
    }
}
