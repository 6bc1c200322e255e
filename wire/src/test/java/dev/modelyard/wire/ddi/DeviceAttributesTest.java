package dev.modelyard.wire.ddi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which attribute sets count as Modelyard's updater: the announcement, or the keys every updater version reported. */
class DeviceAttributesTest {

    /** What the first updater versions reported, before they announced themselves. */
    private static final Map<String, String> OLD_UPDATER = Map.of("arch", "x86_64", "os", "linux",
            "cpu.features", "sse4_2,avx2", "cpu.cores", "4", "accelerators", "", "runtime.onnxruntime", "1.20.0",
            "memory.mb", "7800", "disk.free.mb", "51200");

    @Test
    void recognisesModelyardsUpdater() {
        record Row(String what, Map<String, String> attributes, boolean updater) {
        }
        for (Row r : new Row[]{
                new Row("announced", Map.of(DeviceAttributes.UPDATER, "1"), true),
                new Row("announced, later protocol", Map.of(DeviceAttributes.UPDATER, "7"), true),
                new Row("announced blank", Map.of(DeviceAttributes.UPDATER, " "), false),
                new Row("old updater", OLD_UPDATER, true),
                new Row("old updater on a machine without detected cpu features", with(OLD_UPDATER, "cpu.features", ""), true),
                new Row("old updater's keys alone", Map.of("runtime.onnxruntime", "1.17.1", "cpu.features", "", "cpu.cores", "1"), true),
                new Row("nothing", Map.of(), false),
                new Row("null", null, false),
                new Row("rauc-hawkbit-updater", Map.of("product", "Terminator", "serialnumber", "8922673153",
                        "runtime.raucb", "1.0", "model", "T-1000", "hw_revision", "2", "mac_address", "ff:ff:ff:ff:ff:ff"), false),
                new Row("SWUpdate", Map.of("hwRevision", "2", "VIN", "JH4TB2H26CC000000", "swupdate.version", "2022.12"), false),
                new Row("stock client told to report an ONNX runtime", Map.of("arch", "x86_64", "runtime.onnxruntime", "1.20.0",
                        "memory.mb", "8192", "os", "linux"), false),
                new Row("runtime and cores without features", Map.of("runtime.onnxruntime", "1.20.0", "cpu.cores", "4"), false),
                new Row("cpu keys without the runtime", Map.of("cpu.features", "neon", "cpu.cores", "4"), false),
        }) {
            assertEquals(r.updater(), DeviceAttributes.modelyardUpdater(r.attributes()), r.what());
        }
    }

    @Test
    void onlyProtocolTwoOnAcceptsMetadataNamingCpuFeatures() {
        record Row(String what, Map<String, String> attributes, boolean accepts) {
        }
        for (Row r : new Row[]{
                new Row("this updater", Map.of(DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL), true),
                new Row("protocol 2", Map.of(DeviceAttributes.UPDATER, "2"), true),
                new Row("a later protocol", Map.of(DeviceAttributes.UPDATER, " 3 "), true),
                new Row("protocol 1: reports features, refuses metadata naming them", with(OLD_UPDATER, DeviceAttributes.UPDATER, "1"), false),
                new Row("old updater without the announcement", OLD_UPDATER, false),
                new Row("a protocol this code does not know", Map.of(DeviceAttributes.UPDATER, "2-beta"), false),
                new Row("nothing", Map.of(), false),
                new Row("null", null, false),
        }) {
            assertEquals(r.accepts(), DeviceAttributes.cpuFeaturesInMetadata(r.attributes()), r.what());
            // Every one of them that announced itself is still Modelyard's updater (signed files in the chunk).
            if (r.attributes() != null && !r.attributes().isEmpty()) assertEquals(true, DeviceAttributes.modelyardUpdater(r.attributes()), r.what());
        }
    }

    private static Map<String, String> with(Map<String, String> m, String k, String v) {
        Map<String, String> out = new HashMap<>(m);
        out.put(k, v);
        return out;
    }
}
