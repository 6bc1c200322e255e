package dev.modelyard.server.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * The mapper that binds JSON request bodies: the application's mapper, but refusing fields the
 * bound type does not have, so a typo in a request is refused instead of silently dropped.
 * Only the REST layer uses it; the application's own mapper stays lenient for stored JSON it
 * reads back. The DDI API is not affected: it reads its bodies as text with its own lenient
 * mapper, because stock hawkBit clients send fields Modelyard does not know.
 */
@Provider
public class StrictJson implements ContextResolver<ObjectMapper> {

    private final ObjectMapper strict;

    public StrictJson(ObjectMapper mapper) {
        this.strict = mapper.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return strict;
    }
}
