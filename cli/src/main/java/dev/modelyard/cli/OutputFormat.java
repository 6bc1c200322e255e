package dev.modelyard.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.modelyard.wire.json.WireJson;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * How a command prints its answer: a human view ({@code table}), or the answer's data as JSON or
 * YAML for scripts. JSON and YAML print the same fields with the API's names (absent fields left
 * out, instants as ISO-8601 text), so a script can switch between them; the table is for people
 * and may change.
 */
public enum OutputFormat {
    TABLE, JSON, YAML;

    private static final ObjectMapper JSON_MAPPER = WireJson.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final ObjectMapper YAML_MAPPER = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .build())
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .addModule(new JavaTimeModule())
            .build();

    /** {@code json}, {@code yaml} or {@code table}, in any case; anything else names the accepted values. */
    public static OutputFormat of(String name) {
        for (OutputFormat f : values()) {
            if (f.name().equalsIgnoreCase(name == null ? "" : name.strip())) return f;
        }
        throw new IllegalArgumentException("'" + name + "' is not an output format; use one of " + names());
    }

    static String names() {
        return Arrays.stream(values()).map(OutputFormat::toString).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The answer as this format's text, ending without a newline. {@code human} renders the table
     * view; a command without one prints its data as JSON there too.
     */
    public String render(Object value, Supplier<String> human) {
        try {
            return switch (this) {
                case JSON -> JSON_MAPPER.writeValueAsString(value);
                case YAML -> YAML_MAPPER.writeValueAsString(value).stripTrailing();
                case TABLE -> human != null ? human.get().stripTrailing() : JSON_MAPPER.writeValueAsString(value);
            };
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot print the answer as " + this + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Prints the answer and a newline. */
    public void print(PrintStream out, Object value, Supplier<String> human) {
        out.println(render(value, human));
    }

    /** The JSON mapper the printer uses, for callers that read back what they printed. */
    public static ObjectMapper jsonMapper() {
        return JSON_MAPPER;
    }

    /** The YAML mapper the printer uses (same settings as JSON). */
    public static ObjectMapper yamlMapper() {
        return YAML_MAPPER;
    }

    /** Lets picocli accept {@code --output JSON} as well as {@code --output json}, with a clear error. */
    public static final class Converter implements CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            try {
                return of(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * The {@code --output} option as a mixin; {@code defaultFormat} differs by command: new
     * commands default to the table, the older JSON-speaking ones keep JSON so existing scripts
     * read what they always read.
     */
    public static final class Option {
        @CommandLine.Option(names = "--output", paramLabel = "FORMAT", converter = Converter.class,
                description = "table (for people), json or yaml (for scripts).")
        OutputFormat format;

        public OutputFormat orElse(OutputFormat fallback) {
            return format != null ? format : fallback;
        }
    }
}
