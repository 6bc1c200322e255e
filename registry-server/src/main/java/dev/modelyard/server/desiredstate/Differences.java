package dev.modelyard.server.desiredstate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.modelyard.wire.trust.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Field-level differences of two JSON trees, and the hash of a spec; numbers compare by value (1 equals 1.0). */
final class Differences {

    private Differences() {
    }

    /** Where {@code from} (the server's) and {@code to} (the manifest's) differ, by dotted path under {@code prefix}. */
    static List<Plan.Difference> between(String prefix, JsonNode from, JsonNode to) {
        List<Plan.Difference> out = new ArrayList<>();
        walk(prefix, absentAsNull(from), absentAsNull(to), out);
        return out;
    }

    private static void walk(String path, JsonNode from, JsonNode to, List<Plan.Difference> out) {
        if (from.isObject() && to.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            from.fieldNames().forEachRemaining(names::add);
            to.fieldNames().forEachRemaining(names::add);
            for (String n : names) walk(path.isEmpty() ? n : path + "." + n, absentAsNull(from.get(n)), absentAsNull(to.get(n)), out);
        } else if (!same(from, to)) {
            out.add(new Plan.Difference(path, from.isNull() ? null : from, to.isNull() ? null : to));
        }
    }

    static boolean same(JsonNode a, JsonNode b) {
        a = absentAsNull(a);
        b = absentAsNull(b);
        if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue()) == 0;
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) return false;
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String n = it.next();
                if (!b.has(n) || !same(a.get(n), b.get(n))) return false;
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) return false;
            for (int i = 0; i < a.size(); i++) if (!same(a.get(i), b.get(i))) return false;
            return true;
        }
        return a.equals(b);
    }

    private static JsonNode absentAsNull(JsonNode n) {
        return n == null || n.isMissingNode() ? NullNode.getInstance() : n;
    }

    /** SHA-256 of the spec's canonical JSON (RFC 8785): the same spec written differently hashes the same. */
    static String hash(JsonNode spec) {
        try {
            byte[] canonical = CanonicalJson.canonicalize(CanonicalJson.parse(spec.toString()));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String canonical(JsonNode spec) {
        return new String(CanonicalJson.canonicalize(CanonicalJson.parse(spec.toString())), StandardCharsets.UTF_8);
    }
}
