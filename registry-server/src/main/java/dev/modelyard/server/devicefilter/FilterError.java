package dev.modelyard.server.devicefilter;

import java.util.List;

/**
 * Why a filter was refused, before it is known whether it came in a query parameter or a body
 * field: {@link DeviceFilters} turns it into the problem the caller sees.
 *
 * @param offset   0-based character offset of the bad token
 * @param accepted what would have been valid at that place, or null
 */
final class FilterError extends RuntimeException {

    private final int offset;
    private final transient List<String> accepted;

    FilterError(int offset, String message, List<String> accepted) {
        super(message, null, false, false);
        this.offset = offset;
        this.accepted = accepted == null ? null : List.copyOf(accepted);
    }

    FilterError(int offset, String message) {
        this(offset, message, null);
    }

    int offset() {
        return offset;
    }

    List<String> accepted() {
        return accepted;
    }
}
