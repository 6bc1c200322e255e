package dev.modelyard.wire.trust;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Strict reading of one JSON object of a metadata document: every field must be present with
 * the right JSON type (unless read as optional) and no other field may appear. Error messages
 * name the document and the field path, e.g. {@code artifact metadata: target.arch: ...}.
 */
final class Fields {

    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");

    private final Map<?, ?> map;
    private final String doc;
    private final String prefix;

    private Fields(Map<?, ?> map, String doc, String prefix) {
        this.map = map;
        this.doc = doc;
        this.prefix = prefix;
    }

    /**
     * Wraps {@code value}, which must be an object holding only {@code allowed} fields.
     *
     * @param doc    the document, for messages ("root metadata")
     * @param prefix the path of this object inside the document, "" at the top
     */
    static Fields of(Object value, String doc, String prefix, String... allowed) {
        // A document built in code may hold an Integer where parsed JSON holds a Long; read it
        // the way its canonical form would be read.
        if (prefix.isEmpty() && value != null) value = CanonicalJson.immutableCopy(value);
        if (!(value instanceof Map<?, ?> m)) {
            throw invalid(doc, prefix.isEmpty() ? "(document)" : prefix, "expected an object, got " + describe(value));
        }
        Set<String> unknown = new TreeSet<>();
        for (Object k : m.keySet()) unknown.add(String.valueOf(k));
        unknown.removeAll(List.of(allowed));
        if (!unknown.isEmpty()) {
            throw invalid(doc, prefix.isEmpty() ? "(document)" : prefix, "unknown field(s) " + unknown);
        }
        return new Fields(m, doc, prefix);
    }

    /** Checks the {@code _type} and {@code specVersion} every signed document carries. */
    void requireHeader(String type) {
        String actual = string("_type");
        if (!actual.equals(type)) throw invalid("_type", "expected \"" + type + "\", got \"" + actual + "\"");
        long spec = integer("specVersion");
        if (spec != SignedMetadata.SPEC_VERSION) {
            throw invalid("specVersion", "version " + spec + " is not supported (this implementation reads "
                    + SignedMetadata.SPEC_VERSION + ")");
        }
    }

    String string(String key) {
        return required(key, String.class, "a string");
    }

    String optionalString(String key) {
        return optional(key, String.class, "a string");
    }

    long integer(String key) {
        return required(key, Long.class, "an integer");
    }

    Long optionalInteger(String key) {
        return optional(key, Long.class, "an integer");
    }

    int intValue(String key, int min, int max) {
        long v = integer(key);
        if (v < min || v > max) throw invalid(key, "must be between " + min + " and " + max + ", got " + v);
        return (int) v;
    }

    Instant instant(String key) {
        return parseTime(string(key), doc, path(key));
    }

    List<?> array(String key) {
        return required(key, List.class, "an array");
    }

    /** The object under {@code key}, itself read strictly. */
    Fields object(String key, String... allowed) {
        return of(required(key, Map.class, "an object"), doc, path(key), allowed);
    }

    /** The object under {@code key} read strictly, or null when the field is absent. */
    Fields optionalObject(String key, String... allowed) {
        Map<?, ?> value = optional(key, Map.class, "an object");
        return value == null ? null : of(value, doc, path(key), allowed);
    }

    /** The object under {@code key}, keyed by data (key ids) rather than by field names. */
    Fields dataObject(String key) {
        return new Fields(required(key, Map.class, "an object"), doc, path(key));
    }

    /** The object under {@code key} as is, for documents whose fields are checked elsewhere. */
    Map<?, ?> rawObject(String key) {
        return required(key, Map.class, "an object");
    }

    /** Every key of this object, for maps keyed by data (key ids, role names). */
    List<String> keys() {
        List<String> out = new ArrayList<>();
        for (Object k : map.keySet()) out.add(String.valueOf(k));
        return out;
    }

    /** The raw value under a key of a data-keyed map. */
    Object raw(String key) {
        return map.get(key);
    }

    String path(String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    JsonFormatException invalid(String key, String problem) {
        return invalid(doc, path(key), problem);
    }

    private <T> T required(String key, Class<T> type, String what) {
        if (!map.containsKey(key)) throw invalid(key, "is required");
        if (map.get(key) == null) throw invalid(key, "expected " + what + ", got null");
        return optional(key, type, what);
    }

    private <T> T optional(String key, Class<T> type, String what) {
        Object value = map.get(key);
        if (value == null) {
            if (map.containsKey(key)) throw invalid(key, "must be omitted rather than null");
            return null;
        }
        if (!type.isInstance(value)) throw invalid(key, "expected " + what + ", got " + describe(value));
        if (value instanceof String s && s.isEmpty()) throw invalid(key, "must not be empty");
        return type.cast(value);
    }

    static JsonFormatException invalid(String doc, String path, String problem) {
        return new JsonFormatException(doc + ": " + path + ": " + problem);
    }

    static String describe(Object value) {
        if (value == null) return "null";
        if (value instanceof String) return "a string";
        if (value instanceof Long || value instanceof Integer) return "an integer";
        if (value instanceof Boolean) return "a boolean";
        if (value instanceof Map) return "an object";
        if (value instanceof List) return "an array";
        return value.getClass().getSimpleName();
    }

    /** A map in the given key order, leaving out null values (optional fields are omitted). */
    static Map<String, Object> orderedMap(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    /** RFC 3339 in UTC with whole seconds, e.g. 2027-01-01T00:00:00Z: one spelling per instant. */
    static String formatTime(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    static Instant parseTime(String text, String doc, String path) {
        if (TIME.matcher(text).matches()) {
            try {
                Instant t = Instant.parse(text);
                // The round trip rejects what the parser normalizes, such as a leap second.
                if (formatTime(t).equals(text)) return t;
            } catch (DateTimeParseException e) {
                // reported below with the expected form
            }
        }
        throw invalid(doc, path, "'" + text + "' is not a UTC time of the form 2027-01-01T00:00:00Z");
    }

    /** Whole seconds in years 0000-9999, so {@link #formatTime} yields the fixed-width form. */
    static Instant checkTime(Instant instant, String doc, String path) {
        if (instant == null) throw invalid(doc, path, "is required");
        Instant t = instant.truncatedTo(ChronoUnit.SECONDS);
        if (!TIME.matcher(formatTime(t)).matches()) throw invalid(doc, path, instant + " is outside years 0000-9999");
        return t;
    }

    static String require(String value, Pattern pattern, String doc, String path, String expected) {
        if (value == null) throw invalid(doc, path, "is required");
        if (!pattern.matcher(value).matches()) throw invalid(doc, path, "'" + value + "' is not " + expected);
        return value;
    }
}
