package dev.modelyard.server.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.wire.TargetDescriptor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The format a file name implies at upload, and the runtime it then defaults to. */
class TargetParamsTest {

    @ParameterizedTest(name = "{0} -> {1} / {2}")
    @CsvSource(nullValues = "-", value = {
            "model.onnx, onnx, onnxruntime",
            "model.ORT, ort, onnxruntime",
            "kws.tflite, tflite, tflite",
            "net.engine, tensorrt, tensorrt",
            "bundle.raucb, raucb, none",
            "update.swu, swu, none",
            "firmware.bin, bin, none",
            "rootfs.tar, tar, none",
            "rootfs.tar.gz, tar.gz, none",
            "rootfs.tgz, tar.gz, none",
            "rootfs.tar.zst, tar.zst, none",
            "core-image.wic.gz, wic.gz, none",
            "app.ipk, ipk, none",
            "device.mender, mender, none",
            "archive.gz, -, -",
            "notes.txt, -, -",
            "README, -, -"})
    void infersTheFormatFromTheName(String filename, String format, String runtime) {
        String found = TargetParams.formatFromExtension(filename);
        assertEquals(format, found);
        if (found != null) {
            assertEquals(runtime, TargetDescriptor.of(found, null, null, null, null, null, null, null).runtime());
        }
    }
}
