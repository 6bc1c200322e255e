package dev.modelyard.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Paths are built from names a caller may not control: every segment is encoded, nothing interpreted. */
class QueryTest {

    @Test
    void segmentsAreEncodedWhole() {
        assertEquals("/api/v1/models/a%2Fb/versions/1.0.0%2Bbuild",
                Query.path("/api/v1/models/{}/versions/{}", "a/b", "1.0.0+build").toString());
        assertEquals("/api/v1/models/x%20y%3F%23", Query.path("/api/v1/models/{}", "x y?#").toString());
    }

    @Test
    void absentParametersAreLeftOut() {
        assertEquals("/api/v1/models?q=a%26b&size=5",
                Query.path("/api/v1/models").param("q", "a&b").param("task", null).page(null, 5).toString());
    }

    @Test
    void aMissingOrEmptySegmentIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> Query.path("/api/v1/models/{}/versions/{}", "a"));
        assertThrows(IllegalArgumentException.class, () -> Query.path("/api/v1/models/{}", "a", "b"));
        assertThrows(IllegalArgumentException.class, () -> Query.path("/api/v1/models/{}", ""));
    }

    @Test
    void contentDigestIsRfc9530() {
        assertEquals("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:",
                Artifacts.contentDigest("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }
}
