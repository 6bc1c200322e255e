package dev.modelyard.wire.trust;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for signed metadata: RFC 8785 (JSON Canonicalization Scheme) serialization and a strict
 * parser, restricted to the subset signed documents use.
 *
 * <p>Values are plain Java objects: {@code Map<String, Object>}, {@code List<Object>},
 * {@code String}, {@code Long}, {@code Boolean} and {@code null}. Numbers are integers only, and
 * only those a JSON double represents exactly (|n| &le; 2<sup>53</sup>-1): for them the RFC 8785
 * number form is the plain decimal, so every implementation agrees on the bytes without
 * porting the ECMAScript double formatting algorithm.
 *
 * <p>The parser rejects, rather than tolerates, anything a second parser might read differently:
 * duplicate keys, fractions and exponents, lone surrogates, invalid UTF-8, trailing content.
 * Parsed maps and lists are unmodifiable, so a verified document cannot change afterwards.
 */
public final class CanonicalJson {

    /** The largest integer a JSON number holds exactly in every implementation (2^53 - 1). */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    // Deep enough for any metadata document, shallow enough that a hostile document cannot
    // exhaust the device's stack.
    static final int MAX_DEPTH = 32;

    private CanonicalJson() {
    }

    /** The RFC 8785 canonical UTF-8 bytes of {@code value}: sorted keys, no whitespace. */
    public static byte[] canonicalize(Object value) {
        return new Writer(true, false).write(value).getBytes(StandardCharsets.UTF_8);
    }

    /** Compact JSON that keeps the maps' own key order. */
    public static String toCompactString(Object value) {
        return new Writer(false, false).write(value);
    }

    /**
     * Indented JSON (two spaces) that keeps the maps' own key order and ends with a newline, for
     * files meant to be read by people. Strings are escaped as in the canonical form.
     */
    public static String toPrettyString(Object value) {
        return new Writer(false, true).write(value) + "\n";
    }

    /** Parses UTF-8 JSON text; invalid UTF-8 is an error, not a replacement character. */
    public static Object parse(byte[] utf8) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars;
        try {
            chars = decoder.decode(ByteBuffer.wrap(utf8));
        } catch (CharacterCodingException e) {
            throw new JsonFormatException("JSON text is not valid UTF-8");
        }
        return parse(chars.toString());
    }

    /** Parses JSON text into unmodifiable plain Java values. */
    public static Object parse(String text) {
        return new Parser(text).parseDocument();
    }

    /**
     * A deep, unmodifiable copy of {@code value} with every integer as {@link Long}; throws
     * {@link JsonFormatException} for anything the canonical form cannot hold.
     */
    public static Object immutableCopy(Object value) {
        return copy(value, "$", 0);
    }

    private static Object copy(Object value, String path, int depth) {
        if (depth > MAX_DEPTH) throw new JsonFormatException(path + ": nested deeper than " + MAX_DEPTH);
        if (value == null || value instanceof Boolean) return value;
        if (value instanceof String s) return checkString(s, path);
        if (isInteger(value)) return checkInteger(((Number) value).longValue(), path);
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = key(e.getKey(), path);
                out.put(key, copy(e.getValue(), path + "." + key, depth + 1));
            }
            return Collections.unmodifiableMap(out);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) out.add(copy(list.get(i), path + "[" + i + "]", depth + 1));
            return Collections.unmodifiableList(out);
        }
        throw unsupported(value, path);
    }

    private static boolean isInteger(Object value) {
        return value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte;
    }

    private static long checkInteger(long n, String path) {
        if (n > MAX_SAFE_INTEGER || n < -MAX_SAFE_INTEGER) {
            throw new JsonFormatException(path + ": integer " + n + " is outside +/-(2^53-1)");
        }
        return n;
    }

    private static String checkString(String s, String path) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new JsonFormatException(path + ": string holds a lone surrogate at index " + i);
            }
        }
        return s;
    }

    private static String key(Object key, String path) {
        if (key instanceof String s) return checkString(s, path);
        throw new JsonFormatException(path + ": map key " + key + " is not a string");
    }

    private static JsonFormatException unsupported(Object value, String path) {
        String what = value instanceof Number ? "non-integral or unsupported number type " + value.getClass().getSimpleName()
                : value.getClass().getName();
        return new JsonFormatException(path + ": cannot be written as signed JSON (" + what
                + "); only maps, lists, strings, integers, booleans and null are allowed");
    }

    /** Serializer shared by the canonical, compact and pretty forms so they escape identically. */
    private static final class Writer {
        private final boolean sortKeys;
        private final boolean indent;
        private final StringBuilder out = new StringBuilder(256);

        Writer(boolean sortKeys, boolean indent) {
            this.sortKeys = sortKeys;
            this.indent = indent;
        }

        String write(Object value) {
            value(value, "$", 0);
            return out.toString();
        }

        private void value(Object value, String path, int depth) {
            if (depth > MAX_DEPTH) throw new JsonFormatException(path + ": nested deeper than " + MAX_DEPTH);
            if (value == null) {
                out.append("null");
            } else if (value instanceof Boolean b) {
                out.append(b.booleanValue());
            } else if (value instanceof String s) {
                string(checkString(s, path));
            } else if (isInteger(value)) {
                out.append(checkInteger(((Number) value).longValue(), path));
            } else if (value instanceof Map<?, ?> map) {
                object(map, path, depth);
            } else if (value instanceof List<?> list) {
                array(list, path, depth);
            } else {
                throw unsupported(value, path);
            }
        }

        private void object(Map<?, ?> map, String path, int depth) {
            List<String> keys = new ArrayList<>(map.size());
            for (Object k : map.keySet()) keys.add(key(k, path));
            // String.compareTo orders by UTF-16 code units, which is exactly RFC 8785 section 3.2.3.
            if (sortKeys) Collections.sort(keys);
            out.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) out.append(',');
                newline(depth + 1);
                string(keys.get(i));
                out.append(indent ? ": " : ":");
                value(map.get(keys.get(i)), path + "." + keys.get(i), depth + 1);
            }
            if (!keys.isEmpty()) newline(depth);
            out.append('}');
        }

        private void array(List<?> list, String path, int depth) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) out.append(',');
                newline(depth + 1);
                value(list.get(i), path + "[" + i + "]", depth + 1);
            }
            if (!list.isEmpty()) newline(depth);
            out.append(']');
        }

        private void newline(int depth) {
            if (indent) out.append('\n').append("  ".repeat(depth));
        }

        // ECMAScript JSON.stringify escaping, which RFC 8785 section 3.2.2.2 adopts: the two
        // mandatory escapes, short forms for five controls, \\u00xx for the other controls,
        // everything else (including DEL and U+2028/2029) as literal UTF-8.
        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }

    /** Recursive-descent parser for RFC 8259 JSON minus fractions, exponents and duplicate keys. */
    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Object parseDocument() {
            whitespace();
            Object value = value(0);
            whitespace();
            if (pos != text.length()) throw error("unexpected content after the JSON value");
            return value;
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
            if (pos >= text.length()) throw error("unexpected end of input, expected a value");
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) yield number();
                    throw error("unexpected character '" + printable(c) + "', expected a value");
                }
            };
        }

        private Map<String, Object> object(int depth) {
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            whitespace();
            if (peek() == '}') {
                pos++;
                return Collections.unmodifiableMap(map);
            }
            while (true) {
                whitespace();
                if (peek() != '"') throw error("expected a string key");
                int keyAt = pos;
                String key = string();
                whitespace();
                expect(':');
                whitespace();
                Object v = value(depth + 1);
                if (map.containsKey(key)) {
                    pos = keyAt;
                    throw error("duplicate key \"" + key + "\"");
                }
                map.put(key, v);
                whitespace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return Collections.unmodifiableMap(map);
                }
            }
        }

        private List<Object> array(int depth) {
            pos++;
            List<Object> list = new ArrayList<>();
            whitespace();
            if (peek() == ']') {
                pos++;
                return Collections.unmodifiableList(list);
            }
            while (true) {
                whitespace();
                list.add(value(depth + 1));
                whitespace();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return Collections.unmodifiableList(list);
                }
            }
        }

        private String string() {
            int start = pos;
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    pos = start;
                    throw error("unterminated string");
                }
                char c = text.charAt(pos++);
                if (c == '"') break;
                if (c == '\\') {
                    sb.append(escape());
                } else if (c < 0x20) {
                    pos--;
                    throw error("unescaped control character U+" + String.format("%04X", (int) c) + " in string");
                } else {
                    sb.append(c);
                }
            }
            String s = sb.toString();
            try {
                return checkString(s, "string");
            } catch (JsonFormatException e) {
                pos = start;
                throw error("string holds a lone surrogate");
            }
        }

        private char escape() {
            if (pos >= text.length()) throw error("unterminated escape");
            char c = text.charAt(pos++);
            return switch (c) {
                case '"' -> '"';
                case '\\' -> '\\';
                case '/' -> '/';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'u' -> unicodeEscape();
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + printable(c) + "'");
                }
            };
        }

        private char unicodeEscape() {
            if (pos + 4 > text.length()) throw error("truncated \\u escape");
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(text.charAt(pos + i), 16);
                if (d < 0) throw error("invalid \\u escape");
                v = v * 16 + d;
            }
            pos += 4;
            return (char) v;
        }

        private Long number() {
            int start = pos;
            if (peek() == '-') pos++;
            if (peek() == '0') {
                pos++;
                if (isDigit(peek())) throw error("number has a leading zero");
            } else if (isDigit(peek())) {
                while (isDigit(peek())) pos++;
            } else {
                throw error("'-' is not followed by a digit");
            }
            char next = peek();
            if (next == '.' || next == 'e' || next == 'E') {
                pos = start;
                throw error("non-integral number; signed metadata allows integers only");
            }
            String digits = text.substring(start, pos);
            // 16 digits cover 2^53 - 1; longer strings would overflow Long.parseLong.
            long n;
            if (digits.replace("-", "").length() > 16 || (n = Long.parseLong(digits)) > MAX_SAFE_INTEGER
                    || n < -MAX_SAFE_INTEGER) {
                pos = start;
                throw error("integer " + digits + " is outside +/-(2^53-1)");
            }
            return n;
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) throw error("unexpected character '" + printable(text.charAt(pos)) + "'");
            pos += word.length();
            return value;
        }

        private void whitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                pos++;
            }
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error(pos >= text.length() ? "unexpected end of input, expected '" + c + "'"
                        : "expected '" + c + "' but found '" + printable(text.charAt(pos)) + "'");
            }
            pos++;
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static String printable(char c) {
            return c < 0x20 || c > 0x7E ? String.format("U+%04X", (int) c) : String.valueOf(c);
        }

        private JsonFormatException error(String message) {
            return new JsonFormatException("invalid JSON at offset " + pos + ": " + message);
        }
    }
}
