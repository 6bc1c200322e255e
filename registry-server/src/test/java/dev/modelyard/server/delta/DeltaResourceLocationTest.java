package dev.modelyard.server.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The Location of a requested delta keeps its path shape whatever the names in it hold. */
class DeltaResourceLocationTest {

    @Test
    void eachSegmentIsEncodedSoANameCannotChangeThePath() {
        UUID artifact = UUID.fromString("0b6f7c52-4a51-4d39-9c1e-2f0d0c7b1a11");
        UUID delta = UUID.fromString("6c1c8f0e-58a4-4f0e-a3a4-7d1e3c5b9f22");
        assertEquals("/api/v1/models/m/versions/1.0.0/artifacts/" + artifact + "/deltas/" + delta,
                DeltaResource.location("m", "1.0.0", artifact, delta).toString());
        // A separator, a query, a space or a percent sign in a name stays inside its segment.
        assertEquals("/api/v1/models/a%2Fb/versions/1.0.0+x%20y%3Fz%25/artifacts/" + artifact + "/deltas/" + delta,
                DeltaResource.location("a/b", "1.0.0+x y?z%", artifact, delta).toString());
    }
}
