package dev.modelyard.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;
import java.io.DataInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;

/**
 * The mapper that binds JSON request bodies: the application's mapper, but
 * <ul>
 *   <li>refusing fields the bound type does not have, so a typo in a request is refused instead
 *       of silently dropped;</li>
 *   <li>refusing control characters in every string and key ({@link InputCharacters}), whatever
 *       the body is bound to (records, maps, merge-patch trees), so a NUL never reaches
 *       PostgreSQL;</li>
 *   <li>bounding nesting ({@value #MAX_DEPTH} levels) and string length ({@value #MAX_STRING}
 *       characters): no request body of the API needs more.</li>
 * </ul>
 * Only the REST layer uses it; the application's own mapper stays lenient for stored JSON it
 * reads back. The DDI API is not affected: it reads its bodies as text with its own lenient
 * mapper, because stock hawkBit clients send fields Modelyard does not know.
 */
@Provider
public class StrictJson implements ContextResolver<ObjectMapper> {

    static final int MAX_DEPTH = 64;
    static final int MAX_STRING = 1 << 20;

    private final ObjectMapper strict;

    public StrictJson(ObjectMapper mapper) {
        JsonFactory checking = new CheckingFactory(mapper.getFactory());
        checking.setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH).maxStringLength(MAX_STRING).build());
        this.strict = mapper.copyWith(checking).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return strict;
    }

    /** A JSON string or key holding a character free text may not hold; {@link #field()} says where. */
    public static final class InvalidCharacterException extends JsonMappingException {

        private final String field;

        InvalidCharacterException(JsonParser p, String field, String detail) {
            super(p, detail);
            this.field = field;
        }

        /** The JSON path of the string or key, e.g. {@code labels.team}; empty for the top level. */
        public String field() {
            return field;
        }
    }

    /** Makes parsers that check every string and key as it is read. */
    private static final class CheckingFactory extends JsonFactory {

        CheckingFactory(JsonFactory src) {
            super(src, null);
        }

        @Override
        public JsonFactory copy() {
            return new CheckingFactory(this);
        }

        @Override
        protected JsonParser _createParser(InputStream in, IOContext ctxt) throws IOException {
            return new CheckingParser(super._createParser(in, ctxt));
        }

        @Override
        protected JsonParser _createParser(Reader r, IOContext ctxt) throws IOException {
            return new CheckingParser(super._createParser(r, ctxt));
        }

        @Override
        protected JsonParser _createParser(char[] data, int offset, int len, IOContext ctxt, boolean recyclable)
                throws IOException {
            return new CheckingParser(super._createParser(data, offset, len, ctxt, recyclable));
        }

        @Override
        protected JsonParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
            return new CheckingParser(super._createParser(data, offset, len, ctxt));
        }

        @Override
        protected JsonParser _createParser(DataInput input, IOContext ctxt) throws IOException {
            return new CheckingParser(super._createParser(input, ctxt));
        }
    }

    /**
     * Checks each string value and key in {@link #nextToken()}; the other ways of advancing go
     * through it, so no token escapes the check whichever way a deserializer reads.
     */
    private static final class CheckingParser extends JsonParserDelegate {

        CheckingParser(JsonParser d) {
            super(d);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken t = delegate.nextToken();
            if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) check(t);
            return t;
        }

        @Override
        public JsonToken nextValue() throws IOException {
            JsonToken t = nextToken();
            return t == JsonToken.FIELD_NAME ? nextToken() : t;
        }

        @Override
        public String nextFieldName() throws IOException {
            return nextToken() == JsonToken.FIELD_NAME ? delegate.currentName() : null;
        }

        @Override
        public boolean nextFieldName(SerializableString str) throws IOException {
            return nextToken() == JsonToken.FIELD_NAME && str.getValue().equals(delegate.currentName());
        }

        @Override
        public String nextTextValue() throws IOException {
            return nextToken() == JsonToken.VALUE_STRING ? delegate.getText() : null;
        }

        @Override
        public int nextIntValue(int defaultValue) throws IOException {
            return nextToken() == JsonToken.VALUE_NUMBER_INT ? delegate.getIntValue() : defaultValue;
        }

        @Override
        public long nextLongValue(long defaultValue) throws IOException {
            return nextToken() == JsonToken.VALUE_NUMBER_INT ? delegate.getLongValue() : defaultValue;
        }

        @Override
        public Boolean nextBooleanValue() throws IOException {
            JsonToken t = nextToken();
            return t == JsonToken.VALUE_TRUE ? Boolean.TRUE : t == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
        }

        private void check(JsonToken t) throws IOException {
            String text = delegate.getText();
            int bad = InputCharacters.firstInvalidInText(text);
            if (bad < 0) return;
            String field = path(delegate.getParsingContext());
            String where = field.isEmpty() ? "the request body" : "field '" + field + "'";
            throw new InvalidCharacterException(delegate, field, where + ": " + (t == JsonToken.FIELD_NAME ? "a key" : "the string")
                    + " holds a control character or an unpaired surrogate (" + InputCharacters.describe(text, bad)
                    + "); only tab, line feed and carriage return are allowed, remove it");
        }

        /** {@code selfTest.cases[0].inputs}, as the other problem bodies name fields. */
        private static String path(JsonStreamContext context) {
            StringBuilder out = new StringBuilder();
            for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
                if (c.inArray()) {
                    out.insert(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
                } else if (c.inObject() && c.getCurrentName() != null) {
                    out.insert(0, (c.getParent() != null && !c.getParent().inRoot() ? "." : "") + c.getCurrentName());
                }
            }
            return out.toString();
        }
    }
}
