package dev.modelyard.manifests;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each node of one YAML document was written: the value's location and, for an object's
 * member, its key's, by JSON pointer ({@code ""} is the document itself).
 */
public final class SourceMap {

    private final Map<String, Location> values = new HashMap<>();
    private final Map<String, Location> keys = new HashMap<>();
    private final Map<String, Boolean> quoted = new HashMap<>();

    void value(String pointer, Location at, boolean quotedScalar) {
        values.put(pointer, at);
        if (quotedScalar) quoted.put(pointer, true);
    }

    void key(String pointer, Location at) {
        keys.put(pointer, at);
    }

    /** The value at {@code pointer}, or else the nearest enclosing value that was written. */
    public Location value(String pointer) {
        for (String p = pointer; ; p = parent(p)) {
            Location at = values.get(p);
            if (at != null) return at;
            if (p.isEmpty()) return Location.START;
        }
    }

    /** The key of the member at {@code pointer}; its value's location when it has no key (an array item, the root). */
    public Location key(String pointer) {
        Location at = keys.get(pointer);
        return at != null ? at : value(pointer);
    }

    /**
     * Where the character {@code offset} of the scalar at {@code pointer} was written, for errors
     * inside a text value (a device filter): exact for single-line plain and quoted scalars.
     */
    public Location insideScalar(String pointer, int offset) {
        Location at = value(pointer);
        return at.plusColumns(offset + (quoted.containsKey(pointer) ? 1 : 0));
    }

    static String parent(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return slash <= 0 ? "" : pointer.substring(0, slash);
    }

    /** A JSON pointer segment (RFC 6901: '~' and '/' escaped). */
    static String segment(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
