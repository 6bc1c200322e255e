package dev.modelyard.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads manifest files: every YAML document of every file, checked against its kind's JSON Schema,
 * with each problem placed at its file, line and column; then the set as a whole (one name per
 * kind). Thread-safe; the schemas are loaded once.
 */
public final class ManifestReader {

    public static final String API_VERSION = "modelyard.dev/v1";

    /** A file's name (as errors show it) and its text. */
    public record Source(String file, String content) {
    }

    /** The valid manifests, in the order read, and every problem found, sorted by file and place. */
    public record Result(List<Manifest> manifests, List<ManifestError> errors) {

        public boolean valid() {
            return errors.isEmpty();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ManifestReader INSTANCE = new ManifestReader();

    private final Map<Kind, Schema> schemas = new EnumMap<>(Kind.class);
    private final Map<Kind, JsonNode> schemaTrees = new EnumMap<>(Kind.class);

    private ManifestReader() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        for (Kind kind : Kind.values()) {
            JsonNode tree = schemaTree(kind);
            schemaTrees.put(kind, tree);
            schemas.put(kind, registry.getSchema(tree));
        }
    }

    public static ManifestReader get() {
        return INSTANCE;
    }

    /** The JSON Schema of {@code kind}, as published. */
    public static JsonNode schemaTree(Kind kind) {
        try (InputStream in = ManifestReader.class.getResourceAsStream(kind.schemaResource())) {
            if (in == null) throw new IllegalStateException("schema missing from the jar: " + kind.schemaResource());
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Result read(String file, String content) {
        return read(List.of(new Source(file, content)));
    }

    /** Every document of every source, then the set's own rule: a kind's names are unique. */
    public Result read(List<Source> sources) {
        List<Manifest> manifests = new ArrayList<>();
        List<ManifestError> errors = new ArrayList<>();
        for (Source s : sources) {
            YamlDocuments.Result docs = YamlDocuments.read(s.file(), s.content());
            errors.addAll(docs.errors());
            for (YamlDocuments.Document d : docs.documents()) {
                List<ManifestError> found = check(s.file(), d);
                if (found.isEmpty() && d.clean()) manifests.add(manifest(s.file(), d));
                errors.addAll(found);
            }
        }
        Map<String, Manifest> seen = new HashMap<>();
        List<Manifest> unique = new ArrayList<>();
        for (Manifest m : manifests) {
            Manifest first = seen.putIfAbsent(m.kind() + "/" + m.name(), m);
            if (first == null) {
                unique.add(m);
            } else {
                Location at = first.sources().value("/metadata/name");
                errors.add(m.errorAt("/metadata/name", "metadata.name: " + m.title() + " is declared twice (first at "
                        + first.file() + ":" + at.line() + ":" + at.column() + ")"));
            }
        }
        errors.sort(Comparator.comparing(ManifestError::file).thenComparingInt(ManifestError::line)
                .thenComparingInt(ManifestError::column));
        return new Result(unique, List.copyOf(errors));
    }

    private static Manifest manifest(String file, YamlDocuments.Document d) {
        JsonNode doc = d.tree();
        JsonNode metadata = doc.get("metadata");
        return new Manifest(file, Kind.of(doc.get("kind").asText()).orElseThrow(), metadata.get("name").asText(),
                Manifest.strings(metadata.get("labels")), Manifest.strings(metadata.get("annotations")), doc, d.sources());
    }

    private List<ManifestError> check(String file, YamlDocuments.Document d) {
        JsonNode doc = d.tree();
        SourceMap at = d.sources();
        if (!doc.isObject()) {
            return List.of(ManifestError.at(file, d.start(), "", "a manifest is a mapping of apiVersion, kind, metadata and spec"));
        }
        JsonNode apiVersion = doc.get("apiVersion");
        if (apiVersion == null) {
            return List.of(ManifestError.at(file, d.start(), "apiVersion", "apiVersion: required (" + API_VERSION + ")"));
        }
        if (!API_VERSION.equals(apiVersion.asText()) || !apiVersion.isTextual()) {
            return List.of(ManifestError.at(file, at.value("/apiVersion"), "apiVersion", "apiVersion: '" + apiVersion.asText()
                    + "' is not supported; use " + API_VERSION));
        }
        JsonNode kindNode = doc.get("kind");
        if (kindNode == null) {
            return List.of(ManifestError.at(file, d.start(), "kind", "kind: required (one of " + String.join(", ", Kind.wireNames()) + ")"));
        }
        var kind = Kind.of(kindNode.asText());
        if (kind.isEmpty() || !kindNode.isTextual()) {
            return List.of(ManifestError.at(file, at.value("/kind"), "kind", "kind: '" + kindNode.asText() + "' is not a kind of "
                    + API_VERSION + " (one of " + String.join(", ", Kind.wireNames()) + ")"));
        }
        List<ManifestError> out = new ArrayList<>();
        Set<String> reported = new LinkedHashSet<>();
        for (Error e : schemas.get(kind.get()).validate(doc)) {
            ManifestError m = error(file, kind.get(), at, e, doc);
            if (m != null && reported.add(m.toString())) out.add(m);
        }
        return out;
    }

    /** One schema error in words, at the key (unknown or missing fields) or the value (everything else) it is about. */
    private ManifestError error(String file, Kind kind, SourceMap at, Error e, JsonNode doc) {
        String pointer = pointer(e.getInstanceLocation());
        String path = Paths.dotted(pointer);
        String prefix = path.isEmpty() ? "" : path + ": ";
        String keyword = e.getKeyword() == null ? "" : e.getKeyword();
        switch (keyword) {
            case "additionalProperties": {
                String member = Paths.member(pointer, e.getProperty());
                Set<String> accepted = accepted(kind, e);
                return ManifestError.at(file, at.key(member), Paths.dotted(member), Paths.dotted(member) + ": unknown field"
                        + (accepted.isEmpty() ? "" : " (accepted: " + String.join(", ", accepted) + ")"));
            }
            case "required": {
                String missing = e.getProperty();
                Location where = pointer.isEmpty() ? Location.START : at.key(pointer);
                return ManifestError.at(file, where, Paths.dotted(Paths.member(pointer, missing)),
                        prefix + "missing required field '" + missing + "'");
            }
            case "oneOf":
                if (kind == Kind.ROLLOUT && pointer.equals("/spec")) {
                    return ManifestError.at(file, at.key(pointer), path, prefix
                            + "give exactly one of group (a device group's name) and filter (a device filter)");
                }
                break;
            case "const":
                return ManifestError.at(file, at.value(pointer), path, prefix + "must be '" + e.getSchemaNode().asText() + "'");
            case "enum": {
                List<String> values = new ArrayList<>();
                e.getSchemaNode().forEach(v -> values.add(v.asText()));
                return ManifestError.at(file, at.value(pointer), path, prefix + "'" + doc.at(pointer).asText() + "' is not one of "
                        + String.join(", ", values));
            }
            case "type":
                return ManifestError.at(file, at.value(pointer), path, prefix + "expected " + typeWords(e.getSchemaNode())
                        + ", found " + typeOf(doc.at(pointer)));
            case "pattern":
                if (pointer.endsWith("/name") || pointer.equals("/spec/model") || pointer.equals("/spec/group")) {
                    return ManifestError.at(file, at.value(pointer), path, prefix + "'" + doc.at(pointer).asText()
                            + "' is not a valid name: lower-case letters, digits, '.', '_' and '-', at most 63, starting with a letter or digit");
                }
                break;
            case "propertyNames":
                return null; // reported by its inner keyword, at the offending key
            default:
                break;
        }
        return ManifestError.at(file, at.value(pointer), path, prefix + withoutPath(e.getMessage()));
    }

    /** The names the schema object that refused an unknown field declares. */
    private Set<String> accepted(Kind kind, Error e) {
        Set<String> names = new TreeSet<>();
        if (e.getSchemaLocation() == null || e.getSchemaLocation().getFragment() == null) return names;
        String fragment = pointer(e.getSchemaLocation().getFragment());
        String parent = SourceMap.parent(fragment);
        JsonNode properties = schemaTrees.get(kind).at(parent + "/properties");
        for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) names.add(it.next());
        return names;
    }

    static String pointer(NodePath path) {
        StringBuilder out = new StringBuilder();
        if (path == null) return "";
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            out.append('/').append(element instanceof Integer n ? n.toString() : SourceMap.segment(String.valueOf(element)));
        }
        return out.toString();
    }

    private static String withoutPath(String message) {
        // the library starts its messages with the instance's JSON path ("$.spec.x: ..."); ours start with the dotted path
        if (message != null && message.startsWith("$")) {
            int colon = message.indexOf(": ");
            if (colon > 0) return message.substring(colon + 2);
        }
        return message;
    }

    private static String typeWords(JsonNode type) {
        List<String> words = new ArrayList<>();
        if (type.isArray()) type.forEach(t -> words.add(article(t.asText())));
        else words.add(article(type.asText()));
        return String.join(" or ", words);
    }

    private static String article(String type) {
        return switch (type) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "integer" -> "an integer";
            case "boolean" -> "true or false";
            default -> "a " + type;
        };
    }

    private static String typeOf(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) return "nothing (null)";
        if (v.isObject()) return "a mapping";
        if (v.isArray()) return "a list";
        if (v.isBoolean()) return "true/false";
        if (v.isIntegralNumber()) return "an integer (" + v.asText() + ")";
        if (v.isNumber()) return "a number (" + v.asText() + ")";
        return "a string ('" + v.asText() + "')";
    }
}
