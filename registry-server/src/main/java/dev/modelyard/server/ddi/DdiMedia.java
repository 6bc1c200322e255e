package dev.modelyard.server.ddi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Optional;

/**
 * Content negotiation of DDI answers, as hawkBit does it: HAL JSON by default, plain JSON when
 * the client asks for {@code application/json} (and not HAL), CBOR when it asks for {@code
 * application/cbor}. An Accept header naming none of them (nor a wildcard) gets 406 rather than
 * a body the client said it cannot read. The highest {@code q} wins; on a tie, the first listed.
 */
final class DdiMedia {

    static final String HAL_JSON = "application/hal+json";
    static final String CBOR = "application/cbor";

    private static final ObjectMapper CBOR_MAPPER = CBORMapper.builder().build();

    private DdiMedia() {
    }

    /** The media type to answer with; empty: none the client accepts (406). */
    static Optional<String> negotiate(String accept) {
        if (accept == null || accept.isBlank()) return Optional.of(HAL_JSON);
        String best = null;
        double bestQ = 0;
        for (String part : accept.split(",")) {
            String[] params = part.split(";");
            String type = params[0].strip().toLowerCase(Locale.ROOT);
            double q = quality(params);
            String answer = switch (type) {
                case "*/*", "application/*", HAL_JSON -> HAL_JSON;
                case MediaType.APPLICATION_JSON -> MediaType.APPLICATION_JSON;
                case CBOR -> CBOR;
                default -> null;
            };
            if (answer != null && q > bestQ) {
                best = answer;
                bestQ = q;
            }
        }
        return Optional.ofNullable(best);
    }

    private static double quality(String[] params) {
        for (int i = 1; i < params.length; i++) {
            String p = params[i].strip();
            if (p.regionMatches(true, 0, "q=", 0, 2)) {
                try {
                    double q = Double.parseDouble(p.substring(2).strip());
                    return q < 0 || q > 1 ? 0 : q;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }

    /** The answer's bytes in {@code mediaType}: the JSON as rendered, or the same document in CBOR. */
    static byte[] encode(byte[] json, String mediaType) {
        if (!CBOR.equals(mediaType)) return json;
        try {
            return CBOR_MAPPER.writeValueAsBytes(DdiJson.MAPPER.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
