package dev.modelyard.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestReaderTest {

    private static final ManifestReader READER = ManifestReader.get();

    private static String model(String spec) {
        return """
                apiVersion: modelyard.dev/v1
                kind: Model
                metadata:
                  name: kws
                spec:
                """ + spec;
    }

    /** Each case: a file's text, and the one error it must give (line:col: message start). */
    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("unknown apiVersion", """
                        apiVersion: modelyard.dev/v2
                        kind: Model
                        metadata: {name: kws}
                        spec: {}
                        """, "1:13: apiVersion: 'modelyard.dev/v2' is not supported"),
                Arguments.of("missing apiVersion", """
                        kind: Model
                        metadata: {name: kws}
                        spec: {}
                        """, "1:1: apiVersion: required"),
                Arguments.of("unknown kind", """
                        apiVersion: modelyard.dev/v1
                        kind: Widget
                        metadata: {name: kws}
                        spec: {}
                        """, "2:7: kind: 'Widget' is not a kind of modelyard.dev/v1 (one of Model, TargetProfile, DeviceGroup, Rollout)"),
                Arguments.of("unknown field in spec", model("""
                          description: keyword spotting
                          descripton: typo
                        """), "7:3: spec.descripton: unknown field (accepted: aliases, description, framework, labels, task)"),
                Arguments.of("unknown field at the top", """
                        apiVersion: modelyard.dev/v1
                        kind: DeviceGroup
                        metadata: {name: cams}
                        spec: {filter: "tag==cam"}
                        status: {}
                        """, "5:1: status: unknown field (accepted: apiVersion, kind, metadata, spec)"),
                Arguments.of("unknown field in metadata (through $ref)", """
                        apiVersion: modelyard.dev/v1
                        kind: DeviceGroup
                        metadata:
                          name: cams
                          namespace: x
                        spec: {filter: "tag==cam"}
                        """, "5:3: metadata.namespace: unknown field (accepted: annotations, labels, name)"),
                Arguments.of("wrong type", model("""
                          aliases:
                            stable: 3
                        """), "7:13: spec.aliases.stable: expected a string, found an integer (3)"),
                Arguments.of("wrong type of a mapping", model("""
                          aliases: [a, b]
                        """), "6:12: spec.aliases: expected a mapping, found a list"),
                Arguments.of("missing required in spec", """
                        apiVersion: modelyard.dev/v1
                        kind: DeviceGroup
                        metadata: {name: cams}
                        spec:
                          description: no filter
                        """, "4:1: spec: missing required field 'filter'"),
                Arguments.of("missing spec", """
                        apiVersion: modelyard.dev/v1
                        kind: Model
                        metadata: {name: kws}
                        """, "1:1: missing required field 'spec'"),
                Arguments.of("bad enum", """
                        apiVersion: modelyard.dev/v1
                        kind: Rollout
                        metadata: {name: r1}
                        spec:
                          model: kws
                          version: stable
                          group: cams
                          type: eager
                        """, "8:9: spec.type: 'eager' is not one of forced, soft, downloadonly"),
                Arguments.of("both group and filter", """
                        apiVersion: modelyard.dev/v1
                        kind: Rollout
                        metadata: {name: r1}
                        spec:
                          model: kws
                          version: stable
                          group: cams
                          filter: tag==x
                        """, "4:1: spec: give exactly one of group (a device group's name) and filter (a device filter)"),
                Arguments.of("bad name", """
                        apiVersion: modelyard.dev/v1
                        kind: Model
                        metadata:
                          name: "KWS Small"
                        spec: {}
                        """, "4:9: metadata.name: 'KWS Small' is not a valid name"),
                Arguments.of("nested unknown field in a list item", """
                        apiVersion: modelyard.dev/v1
                        kind: Rollout
                        metadata: {name: r1}
                        spec:
                          model: kws
                          version: stable
                          group: cams
                          phases:
                            - size: 10%
                            - size: 100%
                              bak: PT10M
                        """, "11:7: spec.phases[1].bak: unknown field (accepted: approval, bake, gate, minSamples, minSuccessPct, name, size)"),
                Arguments.of("duplicate key", model("""
                          description: a
                          description: b
                        """), "7:3: duplicate key 'description' (first at line 6)"),
                Arguments.of("not YAML", """
                        apiVersion: modelyard.dev/v1
                        kind: [Model
                        """, "2:13: not valid YAML: while parsing a flow sequence"),
                Arguments.of("not a mapping", """
                        - a
                        - b
                        """, "1:1: a manifest is a mapping of apiVersion, kind, metadata and spec"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void errorsNameLineAndColumn(String name, String text, String expected) {
        ManifestReader.Result r = READER.read("m.yaml", text);
        assertEquals(1, r.errors().size(), () -> "errors: " + r.errors());
        String got = r.errors().get(0).toString();
        assertTrue(got.startsWith("m.yaml:" + expected), () -> "expected m.yaml:" + expected + "\n     got " + got);
        assertTrue(r.manifests().isEmpty(), "an invalid document is no manifest");
    }

    @Test
    void multiDocumentFilesKeepEachDocumentsLinesAndDuplicateNamesAcrossFilesAreErrors() {
        String one = """
                apiVersion: modelyard.dev/v1
                kind: DeviceGroup
                metadata: {name: cams}
                spec: {filter: "tag==cam"}
                ---
                apiVersion: modelyard.dev/v1
                kind: Model
                metadata: {name: kws}
                spec:
                  aliases: {stable: 1.0.0}
                ---
                """;
        String two = """
                # the same group again
                apiVersion: modelyard.dev/v1
                kind: DeviceGroup
                metadata:
                  name: cams
                spec: {filter: "tag==other"}
                """;
        ManifestReader.Result r = READER.read(List.of(new ManifestReader.Source("a.yaml", one), new ManifestReader.Source("b.yaml", two)));
        assertEquals(List.of("b.yaml:5:9: metadata.name: DeviceGroup cams is declared twice (first at a.yaml:3:18)"),
                r.errors().stream().map(ManifestError::toString).toList());
        assertEquals(2, r.manifests().size());
        Manifest model = r.manifests().get(1);
        assertEquals(Kind.MODEL, model.kind());
        assertEquals(Map.of("stable", "1.0.0"), model.model().aliases());
        assertEquals(new Location(10, 21), model.sources().value("/spec/aliases/stable"));
        assertEquals("a.yaml:10:21: spec.aliases.stable: no such version",
                model.errorAt("/spec/aliases/stable", "spec.aliases.stable: no such version").toString());
    }

    @Test
    void offsetsInsideAFilterCountTheQuote() {
        String text = """
                apiVersion: modelyard.dev/v1
                kind: DeviceGroup
                metadata: {name: cams}
                spec:
                  filter: "tag==cam;;x"
                  description: plain
                """;
        Manifest m = READER.read("g.yaml", text).manifests().get(0);
        // offset 9 is the second ';'; the value starts at column 11 with the quote, its text at column 12
        assertEquals(new Location(5, 21), m.sources().insideScalar("/spec/filter", 9));
        Manifest plain = READER.read("g.yaml", text.replace("\"tag==cam;;x\"", "tag==cam;;x")).manifests().get(0);
        assertEquals(new Location(5, 20), plain.sources().insideScalar("/spec/filter", 9));
    }

    @Test
    void everyKindReadsIntoItsRecord() {
        String text = """
                apiVersion: modelyard.dev/v1
                kind: Rollout
                metadata:
                  name: kws-stores
                  labels: {team: audio}
                spec:
                  model: kws
                  version: stable
                  group: stores
                  phases:
                    - {size: "10%", bake: PT10M, gate: {maxErrorRate: 0.01}}
                    - {size: 100}
                  failureBudget: {maxFailurePct: 5, onFailure: pause}
                  maintenanceWindow: {schedule: "0 2 * * *", duration: PT2H}
                  start: true
                ---
                apiVersion: modelyard.dev/v1
                kind: TargetProfile
                metadata: {name: arm-int8}
                spec:
                  steps:
                    - converter: int8-dynamic
                  target: {arch: aarch64, precision: int8}
                  maxAttempts: 2
                """;
        ManifestReader.Result r = READER.read("r.yaml", text);
        assertTrue(r.valid(), () -> r.errors().toString());
        Specs.RolloutSpec rollout = r.manifests().get(0).rollout();
        assertEquals("stores", rollout.group());
        assertEquals(2, rollout.phases().size());
        assertEquals(0.01, rollout.phases().get(0).gate().maxErrorRate());
        assertEquals(100, rollout.phases().get(1).size().asInt());
        assertEquals(true, rollout.start());
        assertEquals(Map.of("team", "audio"), r.manifests().get(0).labels());
        Specs.TargetProfileSpec profile = r.manifests().get(1).targetProfile();
        assertEquals("int8-dynamic", profile.steps().get(0).get("converter"));
        assertEquals("aarch64", profile.target().get("arch"));
    }
}
