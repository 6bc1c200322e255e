package dev.modelyard.device.runtime.external;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * How the updater runs one external runtime (docs/external-runtime.md), from the updater's
 * configuration file:
 * <pre>
 * external.armnn.command=/usr/bin/python3 /usr/share/modelyard/runtimes/armnn/modelyard_armnn_worker.py --backends CpuAcc,CpuRef
 * external.armnn.formats=tflite          # the file formats the worker loads
 * external.armnn.start.timeout=60s       # worker start until its hello
 * external.armnn.load.timeout=120s       # one model load
 * external.armnn.run.timeout=30s         # one inference
 * external.armnn.max.frame.mb=16         # largest frame either way (the updater runs in a small heap)
 * </pre>
 * The command is split at whitespace (no quoting: give paths without spaces).
 */
public record ExternalRuntimeSettings(String runtime, List<String> command, Set<String> formats, Duration startTimeout,
                                      Duration loadTimeout, Duration runTimeout, int maxFrameBytes) {

    public static final String PREFIX = "external.";
    static final int MAX_FRAME_MB_LIMIT = 1024;

    public ExternalRuntimeSettings {
        if (!runtime.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException(PREFIX + runtime + ": a runtime name is lower-case letters, digits, - and _ (e.g. armnn)");
        }
        if (command.isEmpty()) throw new IllegalArgumentException(key(runtime, "command") + " is empty: give the worker's command line");
        if (formats.isEmpty()) throw new IllegalArgumentException(key(runtime, "formats") + " is empty: name the formats the worker loads, e.g. tflite");
        command = List.copyOf(command);
        formats = Set.copyOf(formats);
    }

    /**
     * Every runtime configured under {@code external.<name>.*}, in name order. {@code duration}
     * parses a key's duration text the way the rest of the file does.
     */
    public static List<ExternalRuntimeSettings> from(Properties p, BiFunction<String, String, Duration> duration) {
        Set<String> names = new TreeSet<>();
        for (String key : p.stringPropertyNames()) {
            if (!key.startsWith(PREFIX)) continue;
            String rest = key.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0) throw new IllegalArgumentException(key + ": expected " + PREFIX + "<runtime>.command and similar keys");
            names.add(rest.substring(0, dot));
        }
        List<ExternalRuntimeSettings> out = new ArrayList<>();
        for (String name : names) out.add(one(p, name, duration));
        return List.copyOf(out);
    }

    private static ExternalRuntimeSettings one(Properties p, String name, BiFunction<String, String, Duration> duration) {
        for (String key : p.stringPropertyNames()) {
            if (!key.startsWith(PREFIX + name + ".")) continue;
            String field = key.substring((PREFIX + name + ".").length());
            if (!Set.of("command", "formats", "start.timeout", "load.timeout", "run.timeout", "max.frame.mb").contains(field)) {
                throw new IllegalArgumentException(key + " is not a setting: an external runtime takes command, formats,"
                        + " start.timeout, load.timeout, run.timeout and max.frame.mb");
            }
        }
        String command = p.getProperty(key(name, "command"), "").strip();
        if (command.isEmpty()) throw new IllegalArgumentException(key(name, "command") + " is not set: give the worker's command line");
        String formats = p.getProperty(key(name, "formats"), "").strip();
        Set<String> formatSet = new LinkedHashSet<>();
        for (String f : formats.split(",")) if (!f.isBlank()) formatSet.add(f.strip().toLowerCase(Locale.ROOT));
        long frameMb;
        String frameText = p.getProperty(key(name, "max.frame.mb"), "16").strip();
        try {
            frameMb = Long.parseLong(frameText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key(name, "max.frame.mb") + ": '" + frameText + "' is not a whole number");
        }
        if (frameMb < 1 || frameMb > MAX_FRAME_MB_LIMIT) {
            throw new IllegalArgumentException(key(name, "max.frame.mb") + ": " + frameMb + " is outside 1.." + MAX_FRAME_MB_LIMIT);
        }
        return new ExternalRuntimeSettings(name, Arrays.asList(command.split("\\s+")), formatSet,
                timeout(p, name, "start.timeout", "60s", duration), timeout(p, name, "load.timeout", "120s", duration),
                timeout(p, name, "run.timeout", "30s", duration), (int) Math.min(Integer.MAX_VALUE - 8, frameMb * 1024 * 1024));
    }

    private static Duration timeout(Properties p, String name, String field, String fallback, BiFunction<String, String, Duration> duration) {
        Duration d = duration.apply(key(name, field), p.getProperty(key(name, field), fallback).strip());
        if (d.isZero() || d.isNegative()) throw new IllegalArgumentException(key(name, field) + " must be longer than zero");
        return d;
    }

    private static String key(String name, String field) {
        return PREFIX + name + "." + field;
    }
}
