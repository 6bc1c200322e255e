package dev.modelyard.server.desiredstate;

/** Manifest documents the tests declare, one kind per method, as a user would write them. */
public final class ManifestTexts {

    private ManifestTexts() {
    }

    public static String model(String name, String description, String alias, String version) {
        return """
                apiVersion: modelyard.dev/v1
                kind: Model
                metadata:
                  name: %s
                spec:
                  description: %s
                  aliases:
                    %s: %s
                """.formatted(name, description, alias, version);
    }

    public static String group(String name, String filter) {
        return """
                apiVersion: modelyard.dev/v1
                kind: DeviceGroup
                metadata:
                  name: %s
                spec:
                  filter: "%s"
                """.formatted(name, filter);
    }

    public static String rollout(String name, String model, String group, String firstPhase) {
        return """
                apiVersion: modelyard.dev/v1
                kind: Rollout
                metadata:
                  name: %s
                spec:
                  model: %s
                  version: stable
                  group: %s
                  phases:
                    - {size: "%s"}
                    - {size: "100%%"}
                """.formatted(name, model, group, firstPhase);
    }

    /**
     * A profile the set declares, disabled: the tests share the default tenant, where an enabled
     * profile would queue a conversion for every version any later test publishes.
     */
    public static String profile(String name, String arch) {
        return """
                apiVersion: modelyard.dev/v1
                kind: TargetProfile
                metadata: {name: %s}
                spec:
                  enabled: false
                  steps:
                    - converter: fp16-weights
                  target: {format: onnx, arch: %s, precision: fp16}
                """.formatted(name, arch);
    }
}
