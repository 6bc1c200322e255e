package dev.modelyard.device.config;

import dev.modelyard.device.health.HealthPolicy;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * health.max.restarts=1                        # restarts a health window resumes after; one more reverts
 * </pre>
 */
public record UpdaterConfig(URI serverUrl, String tenant, String controllerId, String authorization, Path trustBundle,
                            Path dataDir, InetSocketAddress apiAddress, Optional<Duration> pollOverride, int threads,
                            long maxDownloadBytes, long downloadBytesPerSecond, long maxWarmUpBytes, int warmUpRuns,
                            Duration clockSkew, HealthPolicy health) {

    public static UpdaterConfig load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return from(p, file.toAbsolutePath().getParent());
    }

    static UpdaterConfig from(Properties p, Path base) throws IOException {
        String server = required(p, "server.url");
        String token = p.getProperty("token", "").strip();
        String tokenFile = p.getProperty("token.file", "").strip();
        String gateway = p.getProperty("gateway.token", "").strip();
        String authorization;
        if (!token.isEmpty()) authorization = "TargetToken " + token;
        else if (!tokenFile.isEmpty()) authorization = "TargetToken " + Files.readString(base.resolve(tokenFile)).strip();
        else if (!gateway.isEmpty()) authorization = "GatewayToken " + gateway;
        else throw new IllegalArgumentException("set token, token.file or gateway.token");
        String api = p.getProperty("api.address", "127.0.0.1:8765").strip();
        int colon = api.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("api.address: expected host:port, got '" + api + "'");
        String override = p.getProperty("poll.override", "").strip();
        return new UpdaterConfig(URI.create(server), p.getProperty("tenant", "default").strip(), required(p, "controller.id"),
                authorization, base.resolve(required(p, "trust.bundle")), base.resolve(p.getProperty("data.dir", "data").strip()),
                new InetSocketAddress(api.substring(0, colon), Integer.parseInt(api.substring(colon + 1))),
                override.isEmpty() ? Optional.empty() : Optional.of(duration(override)),
                Integer.parseInt(p.getProperty("threads", "2").strip()),
                Long.parseLong(p.getProperty("max.download.mb", "4096").strip()) * 1024 * 1024,
                Long.parseLong(p.getProperty("download.max.bytes.per.second", "0").strip()),
                Long.parseLong(p.getProperty("warmup.max.mb", "16").strip()) * 1024 * 1024,
                Integer.parseInt(p.getProperty("warmup.runs", "1").strip()),
                duration(p.getProperty("clock.skew", "5m")),
                health(p));
    }

    private static HealthPolicy health(Properties p) {
        HealthPolicy d = HealthPolicy.DEFAULT;
        String window = p.getProperty("health.window", "").strip();
        return new HealthPolicy(window.isEmpty() ? d.window() : duration(window),
                Double.parseDouble(p.getProperty("health.max.error.rate", Double.toString(d.maxErrorRate())).strip()),
                Double.parseDouble(p.getProperty("health.max.p99.factor", Double.toString(d.maxP99Factor())).strip()),
                Long.parseLong(p.getProperty("health.min.requests", Long.toString(d.minRequests())).strip()),
                Integer.parseInt(p.getProperty("health.max.restarts", Integer.toString(d.maxRestarts())).strip()));
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
        if (v == null || v.isBlank()) throw new IllegalArgumentException(key + " is required in the configuration file");
        return v.strip();
    }
}
