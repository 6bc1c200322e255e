package dev.modelyard.manifests;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the documents of one multi-document YAML text into JSON trees, each with the
 * {@link SourceMap} of where every node was written. Jackson's tree reader forgets locations,
 * so the tree is built here from the parser's tokens. Duplicate keys are errors, not overwrites.
 */
final class YamlDocuments {

    /** One document: its tree and where each node was. {@code start}: where its content begins. */
    record Document(JsonNode tree, SourceMap sources, Location start, boolean clean) {
    }

    record Result(List<Document> documents, List<ManifestError> errors) {
    }

    private static final YAMLFactory YAML = YAMLFactory.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private final String file;
    private final String[] lines;
    private final List<ManifestError> errors = new ArrayList<>();

    private YamlDocuments(String file, String content) {
        this.file = file;
        this.lines = content.split("\r?\n", -1);
    }

    static Result read(String file, String content) {
        return new YamlDocuments(file, content).readAll(content);
    }

    private Result readAll(String content) {
        List<Document> documents = new ArrayList<>();
        try (JsonParser p = YAML.createParser(content)) {
            while (p.nextToken() != null) {
                SourceMap sources = new SourceMap();
                Location start = location(p);
                int before = errors.size();
                JsonNode tree = value(p, "", sources);
                // An empty document ("---" with nothing after it) is no manifest.
                boolean empty = tree.isNull() || tree.isTextual() && tree.asText().isEmpty();
                if (!empty) documents.add(new Document(tree, sources, start, errors.size() == before));
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            Location where = at == null || at.getLineNr() < 1 ? Location.START : new Location(at.getLineNr(), Math.max(1, at.getColumnNr()));
            errors.add(ManifestError.at(file, where, "", "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse("")));
        } catch (IOException e) {
            errors.add(ManifestError.at(file, Location.START, "", "cannot be read: " + e.getMessage()));
        }
        return new Result(documents, errors);
    }

    private JsonNode value(JsonParser p, String pointer, SourceMap sources) throws IOException {
        Location at = location(p);
        JsonToken t = p.currentToken();
        sources.value(pointer, at, t.isScalarValue() && quoted(at));
        return switch (t) {
            case START_OBJECT -> object(p, pointer, sources);
            case START_ARRAY -> array(p, pointer, sources);
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> NODES.textNode(p.getText());
        };
    }

    private ObjectNode object(JsonParser p, String pointer, SourceMap sources) throws IOException {
        ObjectNode node = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String member = pointer + "/" + SourceMap.segment(name);
            Location keyAt = location(p);
            p.nextToken();
            if (node.has(name)) {
                errors.add(ManifestError.at(file, keyAt, member, "duplicate key '" + name + "' (first at line "
                        + sources.key(member).line() + ")"));
                value(p, pointer + "/" + SourceMap.segment(name) + "~dup", new SourceMap());
                continue;
            }
            sources.key(member, keyAt);
            node.set(name, value(p, member, sources));
        }
        return node;
    }

    private ArrayNode array(JsonParser p, String pointer, SourceMap sources) throws IOException {
        ArrayNode node = NODES.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            node.add(value(p, pointer + "/" + i++, sources));
        }
        return node;
    }

    private static Location location(JsonParser p) {
        JsonLocation at = p.currentTokenLocation();
        return new Location(Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()));
    }

    /** Whether the scalar written at {@code at} is quoted: a filter's offsets then start one character later. */
    private boolean quoted(Location at) {
        if (at.line() > lines.length) return false;
        String line = lines[at.line() - 1];
        int i = at.column() - 1;
        return i < line.length() && (line.charAt(i) == '"' || line.charAt(i) == '\'');
    }
}
