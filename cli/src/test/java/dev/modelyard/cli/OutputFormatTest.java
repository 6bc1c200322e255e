package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputFormatTest {

    record Item(String name, String version, Instant createdAt, String absent, Map<String, Object> labels) {
    }

    private static final Item ITEM = new Item("kws", "1.0", Instant.parse("2026-01-02T03:04:05Z"), null, Map.of("team", "audio"));

    @Test
    void jsonAndYamlCarryTheSameFieldsAndReadBack() throws Exception {
        String json = OutputFormat.JSON.render(List.of(ITEM), null);
        String yaml = OutputFormat.YAML.render(List.of(ITEM), null);
        JsonNode fromJson = OutputFormat.jsonMapper().readTree(json);
        JsonNode fromYaml = OutputFormat.yamlMapper().readTree(yaml);
        assertEquals(fromJson, fromYaml);
        assertEquals("2026-01-02T03:04:05Z", fromJson.get(0).get("createdAt").asText());
        // A version that looks like a number stays text, and absent fields are left out.
        assertTrue(yaml.contains("version: \"1.0\""), yaml);
        assertTrue(!json.contains("absent") && !yaml.contains("absent"), json + yaml);
        assertTrue(!yaml.startsWith("---"), yaml);
    }

    @Test
    void theTableIsTheHumanViewAndFallsBackToJson() throws Exception {
        String table = OutputFormat.TABLE.render(ITEM, () -> Table.of("name", "version").row(ITEM.name(), null).toString());
        assertEquals("NAME  VERSION\nkws   -", table);
        assertEquals(OutputFormat.jsonMapper().readTree(OutputFormat.JSON.render(ITEM, null)),
                OutputFormat.jsonMapper().readTree(OutputFormat.TABLE.render(ITEM, null)));
    }

    @Test
    void formatsAreNamedInAnyCaseAndAWrongOneListsTheChoices() {
        assertEquals(OutputFormat.YAML, OutputFormat.of("YAML"));
        assertEquals(OutputFormat.JSON, OutputFormat.of(" json "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputFormat.of("xml"));
        assertEquals("'xml' is not an output format; use one of table, json, yaml", e.getMessage());
    }

    @Test
    void tableColumnsAlignAndDetailsPadKeys() {
        String t = Table.of("a", "long header").row("wide value", "x").row("y", "multi\nline").toString();
        assertEquals("A           LONG HEADER\nwide value  x\ny           multi line\n", t);
        assertEquals("name:    kws\nversion: -\n", Table.details(List.of(new String[] {"name", "kws"}, new String[] {"version", null})));
    }
}
