package dev.modelyard.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.modelyard.wire.json.WireJson;
import java.io.PrintStream;
import java.util.Locale;

/**
 * How a command prints its answer: {@code text} for people, {@code json} and {@code yaml} for
 * scripts (the API's own field names). Used through {@code --output json|yaml}.
 */
enum OutputFormat {
    text, json, yaml;

    private static final ObjectMapper JSON = WireJson.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build())
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .addModule(new JavaTimeModule()).build();

    /** Prints {@code value} as JSON or YAML; {@code text} is each command's own. */
    void print(PrintStream out, Object value) throws Exception {
        switch (this) {
            case json -> out.println(JSON.writeValueAsString(value));
            case yaml -> out.print(YAML.writeValueAsString(value));
            case text -> throw new IllegalStateException("text output is the command's own");
        }
    }

    /** {@code 1,234}: counts people read. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
