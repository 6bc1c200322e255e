package dev.modelyard.device.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The runtimes this updater has, by name, built once at start from its configuration. A model is
 * run by the engine its signed target names (runtime and format); a target whose runtime is not
 * here was already refused before download, since the device reports exactly these.
 */
public final class Engines implements AutoCloseable {

    private final Map<String, Engine> byRuntime = new LinkedHashMap<>();

    public Engines(List<Engine> engines) {
        for (Engine e : engines) {
            if (byRuntime.putIfAbsent(e.runtime(), e) != null) {
                throw new IllegalArgumentException("two engines for runtime " + e.runtime());
            }
        }
        if (byRuntime.isEmpty()) throw new IllegalArgumentException("at least one runtime must be enabled");
    }

    public static Engines of(Engine... engines) {
        return new Engines(List.of(engines));
    }

    /** Every runtime with its version, as reported to the server ({@code runtime.<name>}) and checked against targets. */
    public Map<String, String> versions() {
        Map<String, String> out = new TreeMap<>();
        byRuntime.forEach((name, e) -> out.put(name, e.version()));
        return out;
    }

    public List<Engine> all() {
        return List.copyOf(byRuntime.values());
    }

    /**
     * The engine that runs a file of {@code format} for {@code runtime}.
     *
     * @throws SwapException at stage LOAD when this device has no such runtime or it does not load that format
     */
    public Engine forTarget(String runtime, String format) throws SwapException {
        Engine e = byRuntime.get(runtime);
        if (e == null) {
            throw new SwapException(SwapException.Stage.LOAD, "this device has no runtime " + runtime + " (it has "
                    + String.join(", ", byRuntime.keySet()) + ")", null);
        }
        if (!e.formats().contains(format)) {
            throw new SwapException(SwapException.Stage.LOAD, "runtime " + runtime + " does not load " + format + " files (it loads "
                    + String.join(", ", new java.util.TreeSet<>(e.formats())) + ")", null);
        }
        return e;
    }

    /**
     * The version an engine's package records at build time in {@code engine.properties} next to
     * its class: what lets an engine report its version without loading its natives.
     */
    public static String bundledVersion(Class<? extends Engine> engine) {
        Properties p = new Properties();
        try (InputStream in = engine.getResourceAsStream("engine.properties")) {
            if (in == null) throw new IllegalStateException("engine.properties is missing next to " + engine.getName());
            p.load(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read engine.properties of " + engine.getName(), e);
        }
        String v = p.getProperty("version", "").strip();
        if (v.isEmpty() || v.contains("${")) throw new IllegalStateException("engine.properties of " + engine.getName() + " names no version");
        return v;
    }

    /** Closes every engine (their models must have been unloaded first). */
    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (Engine e : byRuntime.values()) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                failures.add(ex);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
