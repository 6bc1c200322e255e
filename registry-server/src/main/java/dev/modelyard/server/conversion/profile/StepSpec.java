package dev.modelyard.server.conversion.profile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.conversion.BuiltInConverters;
import dev.modelyard.server.conversion.CommandConverter;
import dev.modelyard.server.conversion.ConversionChain;
import dev.modelyard.server.conversion.ConversionLog;
import dev.modelyard.server.error.UnknownNameException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One step of a conversion chain: a built-in converter ({@code {"converter": "int8-weights-qdq",
 * "params": {…}}}) or an external command ({@code {"type": "command", "command": [...],
 * "timeoutSeconds": 60, "outputFormat": "onnx"}}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepSpec(String type, String converter, Map<String, Object> params, List<String> command,
                       Integer timeoutSeconds, String outputFormat) {

    public static final String BUILTIN = "builtin";
    public static final String COMMAND = "command";
    private static final Pattern FORMAT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,31}");
    private static final int MAX_ARGS = 64;
    private static final int MAX_ARG_LENGTH = 4096;
    private static final int MAX_TIMEOUT = 24 * 3600;
    private static final int DEFAULT_TIMEOUT = 600;

    /**
     * Built-in converters that can make a model run faster (fused operators, integer kernels), whose
     * results devices get before an unoptimized file of the same precision ({@link #optimizing()}
     * says when: ort-format only at level extended or all). The weight-only converters make files
     * smaller, not faster.
     */
    public static final Set<String> OPTIMIZING = Set.of("ort-optimize", "ort-format", "int8-dynamic", "int8-static");

    public boolean external() {
        return COMMAND.equals(type);
    }

    /** The integer-kernel converters, whose {@code reduceRange} false keeps weights in full 8 bits. */
    private static final Set<String> INT8_KERNELS = Set.of("int8-dynamic", "int8-static");

    /**
     * Whether this built-in step makes full 8-bit weights ({@code reduceRange} false), which
     * ONNX Runtime's u8s8 kernel on an x86 CPU without VNNI can compute wrong: it adds pairs of
     * products in 16 bits, which saturate (see {@link ChainSpec#resultTarget}).
     */
    @JsonIgnore
    public boolean fullRangeInt8() {
        return !external() && INT8_KERNELS.contains(converter) && params != null
                && "false".equals(String.valueOf(params.get("reduceRange")));
    }

    /**
     * Whether this is a built-in step that optimizes for speed: {@code ort-optimize} at any level,
     * the integer converters, and {@code ort-format} only at level extended or all. At level basic
     * an ORT-format file runs no faster than its fp32 source (measured in bench/conversion), so it
     * must not outrank it.
     */
    @JsonIgnore
    public boolean optimizing() {
        if (external() || !OPTIMIZING.contains(converter)) return false;
        if (!"ort-format".equals(converter)) return true;
        Object level = params == null ? null : params.get("level");
        return level != null && !"basic".equalsIgnoreCase(String.valueOf(level));
    }

    /**
     * Whether the output runs on any CPU of the target. Command steps count as portable: the
     * server cannot know what a program makes (a cross-compiler makes code for another CPU), so
     * the profile's target says it.
     */
    @JsonIgnore
    public boolean portable() {
        return external() || BuiltInConverters.create(converter, params).portable();
    }

    /**
     * The step with defaults filled in and every field checked; {@link IllegalArgumentException}
     * names the field. Built-in parameters get their defaults, so equal chains have equal keys.
     */
    StepSpec normalize(String field, ModelyardConfig.Conversion config) {
        String t = type == null ? (command != null ? COMMAND : BUILTIN) : type;
        return switch (t) {
            case BUILTIN -> {
                if (command != null || timeoutSeconds != null || outputFormat != null) {
                    throw new IllegalArgumentException(field + ": a built-in step has only converter and params");
                }
                refuseUnknownParameters(field);
                try {
                    Map<String, Object> p = BuiltInConverters.effectiveParameters(converter, params);
                    yield new StepSpec(BUILTIN, converter, p, null, null, null);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(field + "." + e.getMessage());
                }
            }
            case COMMAND -> normalizeCommand(field, config);
            default -> throw new IllegalArgumentException(field + ".type: '" + t + "' is not one of builtin, command");
        };
    }

    /** Names an unknown parameter of a built-in converter the way every unknown request field is named. */
    private void refuseUnknownParameters(String field) {
        List<String> settable = BuiltInConverters.settableParameters(converter);
        if (settable == null || params == null) return;
        for (String key : params.keySet()) {
            if (!settable.contains(key)) throw UnknownNameException.field(field + ".params." + key, settable);
        }
    }

    private StepSpec normalizeCommand(String field, ModelyardConfig.Conversion config) {
        if (converter != null) throw new IllegalArgumentException(field + ": a command step has no converter");
        if (command == null || command.isEmpty()) throw new IllegalArgumentException(field + ".command: is required");
        if (command.size() > MAX_ARGS) throw new IllegalArgumentException(field + ".command: at most " + MAX_ARGS + " arguments");
        String exe = command.get(0);
        if (exe == null || !exe.startsWith("/")) {
            throw new IllegalArgumentException(field + ".command[0]: must be an absolute path; there is no search path");
        }
        config.allowedCommands().ifPresent(allowed -> {
            if (!allowed.contains(exe)) {
                throw new IllegalArgumentException(field + ".command[0]: '" + exe + "' is not in modelyard.conversion.allowed-commands");
            }
        });
        Map<String, Object> p = new TreeMap<>();
        if (params != null) params.forEach((k, v) -> p.put(k, scalar(field + ".params." + k, v)));
        boolean writesOutput = false;
        for (String arg : command) {
            if (arg == null || arg.length() > MAX_ARG_LENGTH) {
                throw new IllegalArgumentException(field + ".command: arguments must be strings of at most " + MAX_ARG_LENGTH + " characters");
            }
            Matcher m = CommandConverter.PLACEHOLDER.matcher(arg);
            while (m.find()) {
                if (m.group(1).equals("output")) writesOutput = true;
                if (m.group(2) != null && !p.containsKey(m.group(2))) {
                    throw new IllegalArgumentException(field + ".command: {param:" + m.group(2) + "} has no value in params");
                }
            }
        }
        if (!writesOutput) throw new IllegalArgumentException(field + ".command: must name its output file with {output}");
        int timeout = timeoutSeconds == null ? DEFAULT_TIMEOUT : timeoutSeconds;
        if (timeout < 1 || timeout > MAX_TIMEOUT) {
            throw new IllegalArgumentException(field + ".timeoutSeconds: must be between 1 and " + MAX_TIMEOUT);
        }
        if (outputFormat == null || !FORMAT.matcher(outputFormat).matches()) {
            throw new IllegalArgumentException(field + ".outputFormat: is required: onnx, ort, or another lower-case format token");
        }
        return new StepSpec(COMMAND, null, p, List.copyOf(command), timeout, outputFormat);
    }

    /** The name recorded as (part of) an artifact's converter: the built-in's, or command:<executable>. */
    public String converterName() {
        return external() ? "command:" + Path.of(command.get(0)).getFileName() : converter;
    }

    /** The format this (normalized) step writes. */
    public String writes() {
        return external() ? outputFormat : BuiltInConverters.outputFormat(converter);
    }

    /** What goes into the idempotency key and the artifact's converter version. */
    public String version() {
        return external() ? "command" : BuiltInConverters.version(converter);
    }

    /** The runnable step; command steps work in {@code workDir} and write their output to {@code log}. */
    public ConversionChain.Step toStep(Path workDir, ConversionLog log, long outputLimit) {
        if (!external()) {
            return new ConversionChain.Step(BuiltInConverters.create(converter, params), writes(), version());
        }
        Map<String, String> p = new LinkedHashMap<>();
        params.forEach((k, v) -> p.put(k, String.valueOf(v)));
        return new ConversionChain.Step(new CommandConverter(command, p, Duration.ofSeconds(timeoutSeconds), outputFormat,
                workDir, log, outputLimit), writes(), version());
    }

    private static Object scalar(String field, Object v) {
        if (v instanceof String || v instanceof Boolean) return v;
        if (v instanceof Number n) return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
        throw new IllegalArgumentException(field + ": must be a string, number or boolean");
    }
}
