import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Page;
import dev.modelyard.client.Rollouts;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.fleet.ActionTrace;
import dev.modelyard.testing.fleet.Behavior;
import dev.modelyard.testing.fleet.DeviceSpec;
import dev.modelyard.testing.fleet.FleetRegistration;
import dev.modelyard.testing.fleet.FleetSimulator;
import dev.modelyard.testing.fleet.SimDevice;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One rollout to DEVICES simulated devices against a running server (see run.sh): registers the
 * devices with SQL, publishes a tiny ONNX model, lets every device poll once, then rolls the model
 * out in phases and measures the rollout's time, the server's CPU and memory, the database's growth,
 * the poll latency during the rollout and, per phase, the time from the phase starting to each
 * device starting its download. Prints one result block.
 */
public class RolloutBench {

    static final Set<String> DONE = Set.of("succeeded", "failed", "paused", "cancelled", "rolled-back");

    public static void main(String[] args) throws Exception {
        URI server = URI.create(env("SERVER", null));
        String token = env("TOKEN", null);
        String jdbc = env("JDBC", null);
        int devices = Integer.parseInt(env("DEVICES", "100000"));
        Duration poll = Duration.ofSeconds(Long.parseLong(env("POLL", "60")));
        String mqtt = env("MQTT", "");
        long serverPid = Long.parseLong(env("SERVER_PID", null));
        long clockTicks = Long.parseLong(env("CLK_TCK", "100"));
        String label = env("LABEL", mqtt.isEmpty() ? "polling only" : "with MQTT");
        List<String> phases = Arrays.asList(env("PHASES", "1%,10%,100%").split(","));
        Duration timeout = Duration.ofMinutes(Long.parseLong(env("TIMEOUT_MIN", "30")));

        ModelyardClient client = ModelyardClient.connect(server, token);
        List<DeviceSpec> specs;
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "")) {
            log("registering " + devices + " devices");
            specs = FleetRegistration.viaSql(c, "default", "dev", devices, DeviceSpec.updaterAttributes(), Set.of("bench"));
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE");
            }
        }
        Fixtures.publishedOnnx(client, "bench", "1.0.0", "bench.onnx", OnnxModels.addBias(1, 1, 1, 1));

        FleetSimulator.Builder b = FleetSimulator.builder(server).maxConcurrency(Integer.parseInt(env("CONCURRENCY", "256")))
                .threads(2).startSpread(poll);
        if (!mqtt.isEmpty()) b.mqtt(mqtt);
        try (FleetSimulator fleet = b.build()) {
            fleet.addAll(specs, Behavior.healthy().withPollInterval(poll));
            fleet.start();
            log("every device polls once (spread over " + poll.toSeconds() + " s)");
            fleet.awaitAll(fleet.devices(), d -> d.polls() > 0, poll.multipliedBy(3).plusMinutes(5), "every device polled");
            fleet.pollLatency().reset();
            long dbBefore = dbSize(jdbc);
            long cpuBefore = cpuTicks(serverPid);
            Instant t0 = Instant.now();

            List<Rollouts.Phase> ps = new ArrayList<>();
            for (int i = 0; i < phases.size(); i++) {
                String size = phases.get(i).strip();
                Rollouts.Phase p = size.endsWith("%") ? Rollouts.Phase.percent("phase-" + i, Integer.parseInt(size.replace("%", "")))
                        : Rollouts.Phase.count("phase-" + i, Integer.parseInt(size));
                // A phase is judged once minSamples executed: with every device as the minimum it waits for all of them.
                ps.add(p.success(100, devices));
            }
            Rollouts.Rollout r = client.rollouts().create(Rollouts.NewRollout.of("bench-" + System.currentTimeMillis(), "bench",
                    "1.0.0", "tag==bench").phases(ps.toArray(Rollouts.Phase[]::new)).started());
            log("rollout " + r.id() + " started");
            Rollouts.Rollout view = r;
            Instant deadline = t0.plus(timeout);
            while (!DONE.contains(view.state()) && Instant.now().isBefore(deadline)) {
                Thread.sleep(2000);
                view = client.rollouts().get(r.id());
                log(String.format(Locale.ROOT, "%4ds %s phase %d: %s; fleet %s; poll p99 %.1f ms", Duration.between(t0, Instant.now()).toSeconds(),
                        view.state(), view.currentPhase(), view.counts(), fleet.states(), ms(fleet.pollLatency().percentile(99))));
            }
            Instant t1 = Instant.now();
            long cpu = cpuTicks(serverPid) - cpuBefore;
            long dbAfter = dbSize(jdbc);
            if (view.state().equals("succeeded")) {
                fleet.awaitAll(fleet.devices(), d -> d.state().closed(), Duration.ofMinutes(2), "every device closed its action");
            }

            Map<String, Integer> phaseOf = phaseOfDevices(client, r.id());
            Map<String, SimDevice> byId = new HashMap<>();
            for (SimDevice d : fleet.devices()) byId.put(d.controllerId(), d);

            double wall = Duration.between(t0, t1).toMillis() / 1000.0;
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "RESULT %s: %d devices, poll every %d s, phases %s%n", label, devices, poll.toSeconds(), phases));
            out.append(String.format(Locale.ROOT, "  rollout state %s, counts %s%n", view.state(), view.counts()));
            out.append(String.format(Locale.ROOT, "  total time %.1f s (server: %s → %s)%n", wall, view.startedAt(), view.finishedAt()));
            out.append(String.format(Locale.ROOT, "  server CPU %.1f s (%.0f %% of one core on average)%n", cpu / (double) clockTicks,
                    100.0 * cpu / clockTicks / wall));
            out.append(String.format(Locale.ROOT, "  server RSS now %d MiB, peak %d MiB%n", rssMiB(serverPid, "VmRSS"), rssMiB(serverPid, "VmHWM")));
            out.append(String.format(Locale.ROOT, "  database %d MiB → %d MiB (+%d MiB)%n", dbBefore >> 20, dbAfter >> 20, (dbAfter - dbBefore) >> 20));
            out.append(String.format(Locale.ROOT, "  polls during the rollout: %d, p50 %.1f ms, p99 %.1f ms%n", fleet.pollLatency().count(),
                    ms(fleet.pollLatency().percentile(50)), ms(fleet.pollLatency().percentile(99))));
            out.append("  fleet ").append(fleet.counters().snapshot()).append('\n');
            for (Rollouts.Phase p : view.phases()) {
                List<Long> delays = new ArrayList<>();
                for (Map.Entry<String, Integer> e : phaseOf.entrySet()) {
                    if (e.getValue() != p.index().intValue()) continue;
                    ActionTrace t = byId.get(e.getKey()).newest();
                    if (t != null && t.downloadStartedAt() != null && p.startedAt() != null) {
                        delays.add(Duration.between(p.startedAt(), t.downloadStartedAt()).toMillis());
                    }
                }
                delays.sort(null);
                out.append(String.format(Locale.ROOT, "  phase %d (%s, %d devices): phase start → download start median %.2f s, p99 %.2f s, max %.2f s%n",
                        p.index(), p.size(), p.devices(), pct(delays, 50) / 1000.0, pct(delays, 99) / 1000.0,
                        delays.isEmpty() ? 0 : delays.get(delays.size() - 1) / 1000.0));
            }
            System.out.print(out);
        }
    }

    static Map<String, Integer> phaseOfDevices(ModelyardClient client, long rollout) {
        Map<String, Integer> m = new HashMap<>();
        for (int page = 0; ; page++) {
            Page<Rollouts.RolloutDevice> p = client.rollouts().devices(rollout, new Rollouts.DeviceFilter(null, null, page, 500));
            for (Rollouts.RolloutDevice d : p.items()) m.put(d.device(), d.phase());
            if (p.items().size() < 500) return m;
        }
    }

    static long pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return 0;
        int i = (int) Math.ceil(sorted.size() * p / 100.0) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    static long dbSize(String jdbc) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT pg_database_size(current_database())")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long rssMiB(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
        return -1;
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            if (fallback == null) throw new IllegalArgumentException(name + " is not set");
            return fallback;
        }
        return v;
    }

    static void log(String s) {
        System.err.println(s);
    }
}
