package dev.modelyard.device.config;

import dev.modelyard.device.health.HealthPolicy;
import dev.modelyard.device.push.PushSettings;
import dev.modelyard.device.runtime.external.ExternalRuntimeSettings;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The updater's configuration file (Java properties):
 * <pre>
 * server.url=https://registry.example.com     # the DDI server
 * tenant=default
 * controller.id=camera-0042
 * token.file=/etc/modelyard/token              # or token=…; or gateway.token=…
 * trust.bundle=/etc/modelyard/trust-bundle.json
 * data.dir=/var/lib/modelyard
 * api.address=127.0.0.1:8765                   # local inference API
 * poll.override=                               # e.g. 30s; empty: the server's interval
 * poll.max.interval=                           # e.g. 1m: never wait longer between polls; empty: no cap
 * threads=2                                    # intra-op threads per model
 * max.download.mb=4096
 * download.max.bytes.per.second=0              # 0: no limit
 * warmup.max.mb=16                             # bound on a candidate's warm-up inputs
 * warmup.runs=1                                # runs on zeros before a candidate serves
 * clock.skew=5m                                # tolerated clock difference when checking validity times
 * health.window=60s                            # 0s: no health window
 * health.max.error.rate=0.05
 * health.max.p99.factor=3
 * health.min.requests=20
 * health.max.restarts=1                        # restarts an action survives (swap and window); one more fails it
 * health.report.interval=30s                   # how often the serving health goes to the server during the window
 * push.mqtt.url=                               # e.g. tcp://broker:1883 or ssl://broker:8883: poll at once on a hint; empty: no push
 * push.mqtt.username=                          # empty: the controller id
 * push.mqtt.password.file=                     # a file holding the broker password; empty: none
 * delta.enabled=true                           # take the delta and compressed downloads the server offers
 * runtimes=onnxruntime,tflite                  # built-in runtimes to enable; default: both on x86_64, onnxruntime elsewhere
 * tflite.library=                              # a TensorFlow Lite JNI library to load (aarch64); empty: the one in the jar
 * external.armnn.command=…                     # an external runtime's worker (see ExternalRuntimeSettings); none by default
 * </pre>
 */
public record UpdaterConfig(URI serverUrl, String tenant, String controllerId, String authorization, Path trustBundle,
                            Path dataDir, InetSocketAddress apiAddress, Optional<Duration> pollOverride,
                            Optional<Duration> pollMaxInterval, int threads,
                            long maxDownloadBytes, long downloadBytesPerSecond, long maxWarmUpBytes, int warmUpRuns,
                            Duration clockSkew, HealthPolicy health, Optional<PushSettings> push, boolean deltaEnabled,
                            List<String> runtimes, Optional<Path> tfliteLibrary,
                            List<ExternalRuntimeSettings> externalRuntimes) {

    /** The runtimes built into the updater, by the names targets use. */
    public static final List<String> BUILT_IN_RUNTIMES = List.of("onnxruntime", "tflite");

    /** Reads the file; every problem is reported with the file, the key and what to do about it. */
    public static UpdaterConfig load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("configuration file " + file + " not found: create it from the example"
                    + " updater.properties that comes with the updater (see README, Device setup) and give its path with --config");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("configuration file " + file + " cannot be read: " + e.getMessage(), e);
        }
        try {
            return from(p, file.toAbsolutePath().getParent());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static UpdaterConfig from(Properties p, Path base) throws IOException {
        String server = required(p, "server.url");
        String token = p.getProperty("token", "").strip();
        String tokenFile = p.getProperty("token.file", "").strip();
        String gateway = p.getProperty("gateway.token", "").strip();
        String authorization;
        if (!token.isEmpty()) authorization = "TargetToken " + token;
        else if (!tokenFile.isEmpty()) authorization = "TargetToken " + tokenFromFile(base.resolve(tokenFile));
        else if (!gateway.isEmpty()) authorization = "GatewayToken " + gateway;
        else throw new IllegalArgumentException("no device token: set token.file to a file holding the token the server issued"
                + " when the device was registered (POST /api/v1/devices), or token=…, or gateway.token=… where the server"
                + " registers devices itself");
        String api = p.getProperty("api.address", "127.0.0.1:8765").strip();
        int colon = api.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("api.address: expected host:port, e.g. 127.0.0.1:8765, got '" + api + "'");
        String override = p.getProperty("poll.override", "").strip();
        return new UpdaterConfig(serverUrl(server), p.getProperty("tenant", "default").strip(), required(p, "controller.id"),
                authorization, base.resolve(required(p, "trust.bundle")), base.resolve(p.getProperty("data.dir", "data").strip()),
                new InetSocketAddress(api.substring(0, colon), (int) number("api.address", api.substring(colon + 1))),
                override.isEmpty() ? Optional.empty() : Optional.of(duration("poll.override", override)),
                optionalDuration(p, "poll.max.interval"),
                (int) number(p, "threads", "2"),
                number(p, "max.download.mb", "4096") * 1024 * 1024,
                number(p, "download.max.bytes.per.second", "0"),
                number(p, "warmup.max.mb", "16") * 1024 * 1024,
                (int) number(p, "warmup.runs", "1"),
                duration("clock.skew", p.getProperty("clock.skew", "5m")),
                health(p),
                push(p, base, required(p, "controller.id")),
                bool(p, "delta.enabled", true),
                runtimes(p),
                optionalPath(p, base, "tflite.library"),
                ExternalRuntimeSettings.from(p, UpdaterConfig::duration));
    }

    /**
     * The built-in runtimes to enable. By default TensorFlow Lite only where its natives come with
     * the updater (x86_64) or the device names its own library: enabling it elsewhere would report a
     * runtime that cannot load a model.
     */
    private static List<String> runtimes(Properties p) {
        String text = p.getProperty("runtimes", "").strip();
        if (text.isEmpty()) {
            boolean tflite = "x86_64".equals(DeviceProbe.arch()) || !p.getProperty("tflite.library", "").isBlank();
            return tflite ? BUILT_IN_RUNTIMES : List.of("onnxruntime");
        }
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (String r : text.split(",")) {
            String name = r.strip().toLowerCase(java.util.Locale.ROOT);
            if (name.isEmpty()) continue;
            if (!BUILT_IN_RUNTIMES.contains(name)) {
                throw new IllegalArgumentException("runtimes: '" + name + "' is not a built-in runtime (" + String.join(", ", BUILT_IN_RUNTIMES)
                        + "); external runtimes are configured with external.<name>.command");
            }
            out.add(name);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("runtimes: name at least one of " + String.join(", ", BUILT_IN_RUNTIMES));
        return List.copyOf(out);
    }

    private static Optional<Path> optionalPath(Properties p, Path base, String key) {
        String text = p.getProperty(key, "").strip();
        if (text.isEmpty()) return Optional.empty();
        Path path = base.resolve(text);
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException(key + ": " + path + " is not a file");
        return Optional.of(path);
    }

    private static Optional<PushSettings> push(Properties p, Path base, String controllerId) throws IOException {
        String url = p.getProperty("push.mqtt.url", "").strip();
        if (url.isEmpty()) return Optional.empty();
        String username = p.getProperty("push.mqtt.username", "").strip();
        String passwordFile = p.getProperty("push.mqtt.password.file", "").strip();
        Optional<char[]> password = passwordFile.isEmpty() ? Optional.empty()
                : Optional.of(secretFromFile(base.resolve(passwordFile), "push.mqtt.password.file", "the broker password").toCharArray());
        return Optional.of(new PushSettings(url, username.isEmpty() ? controllerId : username, password));
    }

    private static HealthPolicy health(Properties p) {
        HealthPolicy d = HealthPolicy.DEFAULT;
        String window = p.getProperty("health.window", "").strip();
        return new HealthPolicy(window.isEmpty() ? d.window() : duration("health.window", window),
                decimal(p, "health.max.error.rate", d.maxErrorRate()),
                decimal(p, "health.max.p99.factor", d.maxP99Factor()),
                number(p, "health.min.requests", Long.toString(d.minRequests())),
                (int) number(p, "health.max.restarts", Integer.toString(d.maxRestarts())),
                duration("health.report.interval", p.getProperty("health.report.interval", "30s").strip()));
    }

    private static URI serverUrl(String text) {
        try {
            URI uri = new URI(text);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) return uri;
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException("server.url: '" + text + "' is not an http(s) address like https://registry.example.com");
    }

    private static String secretFromFile(Path file, String key, String what) throws IOException {
        try {
            String secret = Files.readString(file).strip();
            if (secret.isEmpty()) throw new IllegalArgumentException(key + ": " + file + " is empty: write " + what + " into it");
            return secret;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(key + ": " + file + " not found: write " + what + " into it");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException(key + ": " + file + " cannot be read (permission denied): make it"
                    + " readable by the user the updater runs as, and by no one else");
        }
    }

    private static String tokenFromFile(Path file) throws IOException {
        try {
            String token = Files.readString(file).strip();
            if (token.isEmpty()) throw new IllegalArgumentException("token file " + file + " (token.file) is empty: write the device's token into it");
            return token;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("token file " + file + " (token.file) not found: write into it the token the server"
                    + " issued when the device was registered (POST /api/v1/devices; it is shown once)");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException("token file " + file + " (token.file) cannot be read (permission denied): make it"
                    + " readable by the user the updater runs as, and by no one else");
        } catch (IOException e) {
            throw new IOException("token file " + file + " (token.file) cannot be read: " + e, e);
        }
    }

    private static Optional<Duration> optionalDuration(Properties p, String key) {
        String v = p.getProperty(key, "").strip();
        return v.isEmpty() ? Optional.empty() : Optional.of(duration(key, v));
    }

    private static long number(Properties p, String key, String fallback) {
        return number(key, p.getProperty(key, fallback).strip());
    }

    private static long number(String key, String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not a whole number");
        }
    }

    private static boolean bool(Properties p, String key, boolean fallback) {
        String text = p.getProperty(key, "").strip().toLowerCase(java.util.Locale.ROOT);
        if (text.isEmpty()) return fallback;
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + ": '" + text + "' is not true or false");
        };
    }

    private static double decimal(Properties p, String key, double fallback) {
        String text = p.getProperty(key, Double.toString(fallback)).strip();
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not a number");
        }
    }

    private static Duration duration(String key, String text) {
        try {
            return duration(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": '" + text.strip() + "' is not a duration like 30s, 5m or 1h");
        }
    }

    /** {@code 30s}, {@code 5m}, {@code 1h}, or an ISO-8601 duration. */
    static Duration duration(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("0")) return Duration.ZERO;
        if (t.startsWith("p")) return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("'" + text + "' is not a duration like 30s, 5m or 1h");
        };
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) throw new IllegalArgumentException(key + " is not set: " + REQUIRED.get(key));
        return v.strip();
    }

    private static final java.util.Map<String, String> REQUIRED = java.util.Map.of(
            "server.url", "set it to the server's address, e.g. server.url=https://registry.example.com",
            "controller.id", "set it to the device's id as registered on the server, e.g. controller.id=cam-1",
            "trust.bundle", "set it to the trust bundle file, e.g. trust.bundle=trust-bundle.json (see README, Device setup)");
}
