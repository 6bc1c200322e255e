package dev.modelyard.server.devicefilter;

import dev.modelyard.server.device.DeviceStatus;
import dev.modelyard.server.devicefilter.FilterSyntax.And;
import dev.modelyard.server.devicefilter.FilterSyntax.Comparison;
import dev.modelyard.server.devicefilter.FilterSyntax.Node;
import dev.modelyard.server.devicefilter.FilterSyntax.Op;
import dev.modelyard.server.devicefilter.FilterSyntax.Or;
import dev.modelyard.server.devicefilter.FilterSyntax.Value;
import dev.modelyard.wire.SemVer;
import java.sql.Timestamp;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Turns a parsed filter into one SQL condition over {@code device d} with bound parameters. Every
 * comparison becomes a form the indexes of V16 serve: attribute equality as containment
 * ({@code d.attributes @> …}, GIN {@code jsonb_path_ops}), tags and installed versions as
 * {@code EXISTS} probes, times as range conditions. Values are always parameters, never SQL text.
 * Installed-version comparisons are resolved here, against the model's versions, to the set of
 * matching version ids, so the database compares ids and needs no semantic-version logic.
 */
final class FilterCompiler {

    /** A model and its versions, as the compiler needs them; looked up in the current tenant. */
    record ModelVersions(long modelId, List<VersionRow> versions) {
    }

    record VersionRow(long id, String version) {
    }

    /** Finds a model of the current tenant by name. */
    interface Catalog {
        Optional<ModelVersions> model(String name);
    }

    static final String ATTRIBUTE = "attribute.";
    static final String INSTALLED = "installed.";
    static final List<String> SELECTORS = List.of("controllerId", "id", "name", "description", "status", "updateStatus",
            "createdAt", "lastSeen", "lastControllerRequestAt", "tag", "attribute.<key>", "installed.<model>");
    private static final List<String> TEXT_OPS = List.of("==", "!=", "=in=", "=out=");
    private static final List<String> STATUSES = Arrays.stream(DeviceStatus.values()).map(DeviceStatus::wireName).toList();
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,30}(\\.[0-9]{1,30})?");
    private static final Pattern EPOCH_MILLIS = Pattern.compile("[0-9]{1,15}");
    private static final int MAX_KEY = 128;

    private final Catalog catalog;
    private final Instant now;
    private final StringBuilder sql = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    private FilterCompiler(Catalog catalog, Instant now) {
        this.catalog = catalog;
        this.now = now;
    }

    /** The filter as SQL; {@code now} anchors relative times ({@code lastSeen=lt=-P1D}). */
    static DeviceFilter compile(String query, Catalog catalog, Instant now) {
        Node tree = FilterSyntax.parse(query);
        FilterCompiler c = new FilterCompiler(catalog, now);
        c.node(tree);
        return new DeviceFilter(query, c.sql.toString(), c.params);
    }

    private void node(Node n) {
        if (n instanceof And a) join(a.parts(), " AND ");
        else if (n instanceof Or o) join(o.parts(), " OR ");
        else comparison((Comparison) n);
    }

    private void join(List<Node> parts, String connector) {
        sql.append('(');
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) sql.append(connector);
            node(parts.get(i));
        }
        sql.append(')');
    }

    private void comparison(Comparison c) {
        String s = c.selector();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith(ATTRIBUTE)) {
            attribute(c, key(c, ATTRIBUTE.length()));
            return;
        }
        if (lower.startsWith(INSTALLED)) {
            installed(c, key(c, INSTALLED.length()));
            return;
        }
        switch (lower) {
            case "controllerid", "id" -> text(c, "d.controller_id");
            case "name" -> text(c, "d.name");
            case "description" -> text(c, "d.description");
            case "status", "updatestatus" -> status(c);
            case "createdat" -> time(c, "d.created_at");
            case "lastseen", "lastcontrollerrequestat" -> time(c, "d.last_seen_at");
            case "tag", "tag.name" -> tag(c);
            default -> throw unknownSelector(c);
        }
    }

    private static String key(Comparison c, int prefix) {
        String key = c.selector().substring(prefix);
        if (key.isEmpty() || key.length() > MAX_KEY) {
            throw new FilterError(c.selectorOffset(), "selector '" + c.selector() + "' needs a name after '"
                    + c.selector().substring(0, prefix) + "' (1 to " + MAX_KEY + " characters)", SELECTORS);
        }
        return key;
    }

    // ---- text columns: controller id, name, description ---------------------------------------

    /** Null-safe for columns that may be null: a device without a name never equals a name and always differs. */
    private void text(Comparison c, String column) {
        requireOps(c, TEXT_OPS);
        switch (c.op()) {
            case EQ -> textMatch(column, only(c));
            case NE -> {
                sql.append("NOT COALESCE(");
                textMatch(column, only(c));
                sql.append(", false)");
            }
            case IN -> sql.append(column).append(" = ANY(").append(param(texts(c))).append(')');
            case OUT -> sql.append("NOT COALESCE(").append(column).append(" = ANY(").append(param(texts(c))).append("), false)");
            default -> throw new IllegalStateException("checked above");
        }
    }

    /** {@code column = ?}, or a LIKE when the value has a {@code *} wildcard. */
    private void textMatch(String column, Value v) {
        if (v.text().indexOf('*') >= 0) sql.append(column).append(" LIKE ").append(param(likePattern(v.text())));
        else sql.append(column).append(" = ").append(param(v.text()));
    }

    static String likePattern(String glob) {
        StringBuilder p = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            switch (ch) {
                case '*' -> p.append('%');
                case '%', '_', '\\' -> p.append('\\').append(ch);
                default -> p.append(ch);
            }
        }
        return p.toString();
    }

    // ---- status ------------------------------------------------------------------------------

    private void status(Comparison c) {
        requireOps(c, TEXT_OPS);
        List<String> names = new ArrayList<>();
        for (Value v : c.values()) {
            try {
                names.add(DeviceStatus.parse(v.text().toLowerCase(Locale.ROOT)).name());
            } catch (IllegalArgumentException e) {
                throw new FilterError(v.offset(), "status '" + v.text() + "' at offset " + v.offset() + " is not one of "
                        + String.join(", ", STATUSES), STATUSES);
            }
        }
        String in = "d.status = ANY(" + param(names.toArray(String[]::new)) + ")";
        sql.append(c.op() == Op.EQ || c.op() == Op.IN ? in : "NOT (" + in + ")");
    }

    // ---- times -------------------------------------------------------------------------------

    private void time(Comparison c, String column) {
        if (c.op().list()) {
            throw badOperator(c, List.of("==", "!=", "=lt=", "<", "=le=", "<=", "=gt=", ">", "=ge=", ">="));
        }
        // A device never seen has no time: SQL's null makes it match no comparison, != included.
        sql.append(column).append(' ').append(c.op().sql()).append(' ').append(param(Timestamp.from(instant(c.values().get(0)))));
    }

    /**
     * The first and the last instant a filter may name: years 1 to 9999 (UTC), inside what
     * PostgreSQL's timestamps hold (4713 BC to 294276 AD), so a far time is a filter error at its
     * offset rather than the database's "timestamp out of range".
     */
    static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private Instant instant(Value v) {
        Instant at = parsedInstant(v);
        if (at.isBefore(FIRST) || at.isAfter(LAST)) {
            throw new FilterError(v.offset(), "'" + v.text() + "' at offset " + v.offset()
                    + " is outside the times a filter can compare (years 1 to 9999, UTC)");
        }
        return at;
    }

    private Instant parsedInstant(Value v) {
        String t = v.text();
        try {
            if (EPOCH_MILLIS.matcher(t).matches()) return Instant.ofEpochMilli(Long.parseLong(t));
            if (t.startsWith("-P") || t.startsWith("P") || t.startsWith("+P")) return now.plus(Duration.parse(t));
            if (t.length() == 10) return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
            throw new FilterError(v.offset(), "'" + t + "' at offset " + v.offset() + " is not a time: write an ISO-8601 instant "
                    + "(2026-03-01T12:00:00Z), a date (2026-03-01, UTC), epoch milliseconds, or a duration relative to now "
                    + "(-P1D is a day ago, -PT6H six hours ago)");
        }
    }

    // ---- tags --------------------------------------------------------------------------------

    private void tag(Comparison c) {
        requireOps(c, TEXT_OPS);
        boolean negated = c.op() == Op.NE || c.op() == Op.OUT;
        sql.append(negated ? "NOT EXISTS" : "EXISTS").append(" (SELECT 1 FROM device_tag t WHERE t.device_id = d.id AND ");
        if (c.op().list()) sql.append("t.tag = ANY(").append(param(texts(c))).append(')');
        else textMatch("t.tag", only(c));
        sql.append(')');
    }

    // ---- attributes --------------------------------------------------------------------------

    private void attribute(Comparison c, String key) {
        switch (c.op()) {
            case EQ -> attributeMatch(key, only(c));
            case NE -> {
                sql.append("NOT COALESCE(");
                attributeMatch(key, only(c));
                sql.append(", false)");
            }
            case IN, OUT -> {
                sql.append(c.op() == Op.OUT ? "NOT (" : "(");
                for (int i = 0; i < c.values().size(); i++) {
                    if (i > 0) sql.append(" OR ");
                    sql.append("d.attributes @> ").append(jsonParam(key, c.values().get(i).text()));
                }
                sql.append(')');
            }
            default -> {
                Value v = only(c);
                if (!NUMBER.matcher(v.text()).matches()) {
                    throw new FilterError(v.offset(), "'" + v.text() + "' at offset " + v.offset() + " is not a number: "
                            + c.op().spelling + " on an attribute compares numbers (devices whose value is not a number never match)");
                }
                // only values that are numbers are cast: the CASE keeps the cast from failing on others
                sql.append("(CASE WHEN ").append(attributeValue(key)).append(" ~ '^-?[0-9]+(\\.[0-9]+)?$'")
                        .append(" THEN CAST(").append(attributeValue(key)).append(" AS numeric) END) ").append(c.op().sql())
                        .append(" CAST(").append(param(v.text())).append(" AS numeric)");
            }
        }
    }

    /** Equality as containment, which the GIN index answers; a wildcard needs the value itself. */
    private void attributeMatch(String key, Value v) {
        if (v.text().indexOf('*') >= 0) {
            sql.append(attributeValue(key)).append(" LIKE ").append(param(likePattern(v.text())));
        } else {
            sql.append("d.attributes @> ").append(jsonParam(key, v.text()));
        }
    }

    private String attributeValue(String key) {
        return "(d.attributes ->> CAST(" + param(key) + " AS text))";
    }

    private String jsonParam(String key, String value) {
        return "CAST(" + param("{" + json(key) + ":" + json(value) + "}") + " AS jsonb)";
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                    else b.append(ch);
                }
            }
        }
        return b.append('"').toString();
    }

    // ---- installed model versions ------------------------------------------------------------

    private void installed(Comparison c, String model) {
        int modelOffset = c.selectorOffset() + INSTALLED.length();
        ModelVersions m = catalog.model(model).orElseThrow(() -> new FilterError(modelOffset,
                "no model '" + model + "' (named at offset " + modelOffset + ")"));
        boolean any = !c.op().ordering() && c.values().size() == 1 && c.values().get(0).text().equals("*");
        boolean negated = c.op() == Op.NE || c.op() == Op.OUT;
        sql.append(negated ? "NOT EXISTS" : "EXISTS")
                .append(" (SELECT 1 FROM installed_model i WHERE i.device_id = d.id AND i.model_id = ").append(param(m.modelId()));
        if (!any) {
            Set<Long> ids = new LinkedHashSet<>();
            for (Value v : c.values()) ids.addAll(matchingVersions(m, c.op(), v));
            sql.append(" AND i.version_id = ANY(").append(param(ids.toArray(Long[]::new))).append(')');
        }
        sql.append(')');
    }

    private static List<Long> matchingVersions(ModelVersions m, Op op, Value v) {
        Predicate<VersionRow> match;
        if (!op.ordering() && v.text().indexOf('*') >= 0) {
            Pattern glob = Pattern.compile(Arrays.stream(v.text().split("\\*", -1)).map(Pattern::quote)
                    .reduce((a, b) -> a + ".*" + b).orElse(""));
            match = r -> glob.matcher(r.version()).matches();
        } else {
            SemVer wanted = semver(v);
            Predicate<Integer> cmp = switch (op) {
                case LT -> x -> x < 0;
                case LE -> x -> x <= 0;
                case GT -> x -> x > 0;
                case GE -> x -> x >= 0;
                default -> x -> x == 0;
            };
            match = r -> {
                SemVer have = parsedOrNull(r.version());
                return have != null && cmp.test(have.compareTo(wanted));
            };
        }
        return m.versions().stream().filter(match).sorted(Comparator.comparingLong(VersionRow::id)).map(VersionRow::id).toList();
    }

    private static SemVer semver(Value v) {
        try {
            return SemVer.parse(v.text());
        } catch (IllegalArgumentException e) {
            throw new FilterError(v.offset(), "'" + v.text() + "' at offset " + v.offset() + " is not a version: "
                    + e.getMessage() + "; '*' means any version, '2.*' a pattern");
        }
    }

    private static SemVer parsedOrNull(String version) {
        try {
            return SemVer.parse(version);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private String param(Object value) {
        params.add(value);
        return "?";
    }

    private static String[] texts(Comparison c) {
        return c.values().stream().map(Value::text).toArray(String[]::new);
    }

    private static Value only(Comparison c) {
        return c.values().get(0);
    }

    private static void requireOps(Comparison c, List<String> accepted) {
        if (c.op().ordering()) throw badOperator(c, accepted);
    }

    private static FilterError badOperator(Comparison c, List<String> accepted) {
        return new FilterError(c.opOffset(), "operator " + c.op().spelling + " at offset " + c.opOffset()
                + " does not apply to '" + c.selector() + "'; it takes " + String.join(", ", accepted), accepted);
    }

    private static FilterError unknownSelector(Comparison c) {
        String guess = closest(c.selector());
        return new FilterError(c.selectorOffset(), "unknown selector '" + c.selector() + "' at offset " + c.selectorOffset()
                + (guess == null ? "" : "; did you mean '" + guess + "'?") + " Selectors: " + String.join(", ", SELECTORS), SELECTORS);
    }

    /** The selector nearest to what was written (edit distance), or null when none is close. */
    static String closest(String written) {
        String w = written.toLowerCase(Locale.ROOT);
        int dot = w.indexOf('.');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String s : List.of("controllerId", "name", "description", "status", "updateStatus", "createdAt", "lastSeen",
                "lastControllerRequestAt", "tag")) {
            int d = distance(w, s.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = s;
            }
        }
        // attribute.<key> and installed.<model>: compare the part before the dot, keep the name after it
        String head = dot < 0 ? w + "." : w.substring(0, dot + 1);
        String tail = dot < 0 ? "" : written.substring(dot + 1);
        for (String prefix : List.of(ATTRIBUTE, INSTALLED)) {
            int d = distance(head, prefix);
            if (d < bestDistance) {
                bestDistance = d;
                best = prefix + (tail.isEmpty() ? (prefix.equals(ATTRIBUTE) ? "<key>" : "<model>") : tail);
            }
        }
        return bestDistance <= Math.max(2, head.length() / 4) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
