package dev.modelyard.server.http;

import java.util.Optional;

/**
 * A single byte range of a representation (RFC 9110 §14). Parsing yields empty when the
 * header should be ignored (absent, several ranges, or not a bytes range: the full
 * representation is then sent), and throws 416 when the range cannot be satisfied.
 */
public record ByteRange(long first, long last) {

    public long length() {
        return last - first + 1;
    }

    public String contentRange(long size) {
        return "bytes " + first + "-" + last + "/" + size;
    }

    public static Optional<ByteRange> parse(String header, long size) {
        if (header == null) return Optional.empty();
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) return Optional.empty();
        String spec = h.substring(6).strip();
        if (spec.contains(",")) return Optional.empty();
        int dash = spec.indexOf('-');
        if (dash < 0) return Optional.empty();
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        try {
            if (a.isEmpty()) {
                if (b.isEmpty()) return Optional.empty();
                long suffix = Long.parseLong(b);
                if (suffix <= 0 || size == 0) throw unsatisfiable(size);
                return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (!b.isEmpty() && Long.parseLong(b) < first) return Optional.empty(); // invalid: ignore
            if (first >= size) throw unsatisfiable(size);
            return Optional.of(new ByteRange(first, last));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static ApiException unsatisfiable(long size) {
        return new ApiException(416, "the requested range is outside the " + size + "-byte file",
                java.util.Map.of("Content-Range", "bytes */" + size));
    }
}
