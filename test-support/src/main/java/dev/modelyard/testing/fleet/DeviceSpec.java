package dev.modelyard.testing.fleet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Who a simulated device is: its tenant, controller id, DDI token and the attributes it reports
 * through configData when the server asks for them.
 */
public record DeviceSpec(String tenant, String controllerId, String token, Map<String, String> attributes) {

    public DeviceSpec {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(controllerId, "controllerId");
        Objects.requireNonNull(token, "token");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /**
     * What a Modelyard updater on a small x86_64 Linux box reports: with {@code modelyard.updater}
     * the server sends the signed release metadata along and accepts the health extension.
     */
    public static Map<String, String> updaterAttributes() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("arch", "x86_64");
        a.put("os", "linux");
        a.put("accelerators", "cpu");
        a.put("runtime.onnxruntime", "1.23.2");
        a.put("memory.mb", "4096");
        a.put("disk.free.mb", "10000");
        a.put("modelyard.updater", "1");
        return a;
    }

    /** The same device reporting other attributes. */
    public DeviceSpec withAttributes(Map<String, String> attributes) {
        return new DeviceSpec(tenant, controllerId, token, attributes);
    }
}
