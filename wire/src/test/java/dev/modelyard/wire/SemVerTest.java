package dev.modelyard.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SemVerTest {

    // The precedence example from the SemVer 2.0.0 specification, in ascending order, after two
    // identifiers that differ only where one has a '.' and the other a '-'.
    private static final List<String> ORDERED = List.of("1.0.0-a.b", "1.0.0-a-x", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
            "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0");

    @Test
    void ordersAsTheSpecificationSays() {
        List<SemVer> shuffled = new ArrayList<>(ORDERED.stream().map(SemVer::parse).toList());
        Collections.shuffle(shuffled, new java.util.Random(7));
        Collections.sort(shuffled);
        assertEquals(ORDERED, shuffled.stream().map(SemVer::toString).toList());
    }

    @Test
    void sortKeyOrdersLikeCompareTo() {
        List<String> keys = ORDERED.stream().map(v -> SemVer.parse(v).sortKey()).toList();
        List<String> sorted = new ArrayList<>(keys);
        Collections.sort(sorted);
        assertEquals(keys, sorted);
    }

    @Test
    void buildMetadataDoesNotAffectPrecedence() {
        assertEquals(0, SemVer.parse("1.0.0+abc").compareTo(SemVer.parse("1.0.0+def")));
        assertEquals("1.0.0-rc.1+build.5", SemVer.parse("1.0.0-rc.1+build.5").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1.0", "01.0.0", "1.0.0-", "1.0.0-01", "v1.0.0", "1.0.0 ", "1..0", "99999999999999999999.0.0"})
    void rejectsWhatIsNotASemanticVersion(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SemVer.parse(text));
        assertFalse(e.getMessage().isBlank());
        assertFalse(SemVer.isValid(text));
    }

    @Test
    void acceptsValidVersions() {
        assertTrue(SemVer.isValid("0.0.1"));
        assertTrue(SemVer.parse("1.0.0-alpha").isPreRelease());
    }
}
