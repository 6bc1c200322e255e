package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.modelyard.wire.trust.VerificationException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Runs the published vectors through the verifier, and keeps them equal to the generator's output. */
class TrustVectorsTest {

    // The committed sources, not the build's copy, so a stale or deleted file is noticed.
    private static final Path DIR = Path.of("src", "test", "resources", "trust-vectors");
    private static final Set<String> HAND_WRITTEN = Set.of("README.md", ".gitattributes");
    private static final String REGENERATE = "; regenerate with: java -cp wire/target/classes:wire/target/test-classes "
            + "dev.modelyard.wire.trust.TrustVectorsGenerator wire/src/test/resources/trust-vectors";

    private static Map<?, ?> manifest() throws IOException {
        return (Map<?, ?>) CanonicalJson.parse(Files.readAllBytes(DIR.resolve("manifest.json")));
    }

    private static List<Map<?, ?>> vectors() throws IOException {
        return ((List<?>) manifest().get("vectors")).stream().<Map<?, ?>>map(v -> (Map<?, ?>) v).toList();
    }

    @TestFactory
    Stream<DynamicTest> verifierReachesEachVectorsOutcome() throws IOException {
        Map<?, ?> manifest = manifest();
        Clock clock = Clock.fixed(Instant.parse((String) manifest.get("now")), ZoneOffset.UTC);
        Duration skew = Duration.ofSeconds((Long) manifest.get("allowedSkewSeconds"));
        return vectors().stream().map(v -> dynamicTest((String) v.get("name"),
                () -> assertEquals(v.get("outcome"), run(v, clock, skew), (String) v.get("description"))));
    }

    private static String run(Map<?, ?> vector, Clock clock, Duration skew) throws IOException {
        try {
            TrustStore store = new TrustStore(envelope(vector.get("initialRoot")));
            for (Object update : (List<?>) vector.get("rootUpdates")) store.updateRoot(envelope(update));
            if (vector.containsKey("release")) {
                SignedEnvelope rollback = vector.containsKey("rollbackAuthorization")
                        ? envelope(vector.get("rollbackAuthorization")) : null;
                Expectations expect = expectations((Map<?, ?>) vector.get("expect"), rollback, clock, skew);
                VerifiedRelease release = new Verifier(store).verifyRelease(envelope(vector.get("release")), expect);
                if (vector.containsKey("content")) {
                    try (InputStream in = Files.newInputStream(DIR.resolve((String) vector.get("content")))) {
                        Verifier.verifyContent(release, in);
                    }
                }
            }
            return "ok";
        } catch (VerificationException e) {
            assertFalse(e.getMessage().isBlank());
            return e.reason().name();
        } catch (JsonFormatException e) {
            return Reason.MALFORMED.name();
        }
    }

    private static SignedEnvelope envelope(Object file) throws IOException {
        return SignedEnvelope.parse(Files.readAllBytes(DIR.resolve((String) file)));
    }

    private static Expectations expectations(Map<?, ?> e, SignedEnvelope rollback, Clock clock, Duration skew) {
        Map<?, ?> d = (Map<?, ?>) e.get("device");
        DeviceFacts device = new DeviceFacts((String) d.get("arch"),
                ((List<?>) d.get("accelerators")).stream().map(String.class::cast).toList(), (String) d.get("runtime"),
                (String) d.get("runtimeVersion"), (Long) d.get("memoryMb"), (String) d.get("os"));
        return new Expectations((String) e.get("tenant"), (String) e.get("model"), device,
                (Long) e.get("installedReleaseCounter"), rollback, clock, skew, (Long) e.get("maxDownloadBytes"));
    }

    @Test
    void vectorsCoverEveryReasonAndSuccess() throws IOException {
        Set<String> outcomes = vectors().stream().map(v -> (String) v.get("outcome")).collect(Collectors.toSet());
        Set<String> expected = Arrays.stream(Reason.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        expected.add("ok");
        assertEquals(expected, new TreeSet<>(outcomes));
    }

    @Test
    void generatorReproducesTheCommittedFilesByteForByte() throws IOException {
        Map<String, byte[]> generated = TrustVectorsGenerator.generate();
        Set<String> committed;
        try (Stream<Path> files = Files.list(DIR)) {
            committed = files.map(p -> p.getFileName().toString()).filter(n -> !HAND_WRITTEN.contains(n))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(generated.keySet(), committed, "the committed vector files differ from the generated set" + REGENERATE);
        for (Map.Entry<String, byte[]> f : generated.entrySet()) {
            assertArrayEquals(f.getValue(), Files.readAllBytes(DIR.resolve(f.getKey())),
                    f.getKey() + " differs from the generator's output" + REGENERATE);
        }
    }

    @Test
    void manifestListsOnlyExistingFiles() throws IOException {
        for (Map<?, ?> v : vectors()) {
            for (String key : List.of("initialRoot", "release", "rollbackAuthorization", "content")) {
                if (v.containsKey(key)) assertTrue(Files.isRegularFile(DIR.resolve((String) v.get(key))), v.get(key).toString());
            }
        }
    }
}
