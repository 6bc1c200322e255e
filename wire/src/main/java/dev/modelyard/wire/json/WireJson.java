package dev.modelyard.wire.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON setup of the values in this module, shared by the registry, the device updater
 * and the API client, so that a field one side writes is a field the other side reads.
 * Writers leave absent (null) fields out; readers ignore fields they do not know, because a
 * newer server may add fields to an answer and an older device or client must still read it.
 * Instants are ISO-8601 text, as the management API writes them.
 */
public final class WireJson {

    private WireJson() {
    }

    /** A builder with the shared settings, for a caller that adds its own (e.g. property order mix-ins). */
    public static JsonMapper.Builder builder() {
        return JsonMapper.builder()
                .serializationInclusion(JsonInclude.Include.NON_NULL)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .addModule(new JavaTimeModule());
    }

    /** A new mapper with the shared settings; mappers are thread-safe, so keep one. */
    public static ObjectMapper mapper() {
        return builder().build();
    }
}
