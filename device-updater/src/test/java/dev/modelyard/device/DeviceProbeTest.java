package dev.modelyard.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.config.DeviceProbe;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.trust.DeviceFacts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceProbeTest {

    @Test
    void describesThisMachineInTargetDescriptorTerms(@TempDir Path dir) {
        DeviceFacts facts = DeviceProbe.facts(TestEngines.all());
        assertTrue(TargetDescriptor.ARCHES.contains(facts.arch()), facts.arch());
        assertTrue(facts.accelerators().contains("cpu"));
        assertTrue(facts.memoryMb() > 0);
        // A portable fp32 ONNX artifact for ONNX Runtime >= 1.17 must suit any machine the tests run on.
        assertEquals(List.of(), facts.unmetRequirements(TargetDescriptor.of("onnx", null, ">=1.17", null, null, null, null, null)));
        Map<String, String> attributes = DeviceProbe.attributes(dir, TestEngines.all());
        assertEquals(facts.arch(), attributes.get("arch"));
        assertTrue(Long.parseLong(attributes.get("disk.free.mb")) > 0);
        assertTrue(attributes.get("runtime.onnxruntime").matches("\\d+\\.\\d+\\.\\d+"));
        // Both ways a server recognises Modelyard's updater: the announcement, and the keys every
        // updater version has reported (what servers go by for updaters older than the announcement).
        assertEquals(DeviceAttributes.UPDATER_PROTOCOL, attributes.get(DeviceAttributes.UPDATER));
        assertTrue(attributes.keySet().containsAll(DeviceAttributes.LEGACY_UPDATER_KEYS), attributes.toString());
    }
}
