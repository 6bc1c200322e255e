import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closed-loop inference load at fixed concurrency against the device's local API while a deployment
 * swaps the model: latency and failures before the assignment, from the assignment until the new
 * version answers, and after. Usage:
 * {@code SwapLoad API_URL SERVER_URL ADMIN_TOKEN DEVICE VERSION CONCURRENCY STEADY_SECONDS [INPUT_NAME]} (input x by default).
 */
public class SwapLoad {

    record Sample(long startNanos, long latencyNanos, int status, String version) {
    }

    public static void main(String[] args) throws Exception {
        String api = args[0], server = args[1], token = args[2], device = args[3], version = args[4];
        int concurrency = Integer.parseInt(args[5]);
        long steady = Duration.ofSeconds(Long.parseLong(args[6])).toNanos();
        String input = args.length > 7 ? args[7] : "x";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 256; i++) data.append(i == 0 ? "" : ",").append((i % 7) / 7.0);
        HttpRequest infer = HttpRequest.newBuilder(URI.create(api + "/v1/models/kws/infer")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":{\"" + input + "\":{\"dtype\":\"float32\",\"shape\":[1,256],\"data\":[" + data + "]}}}"))
                .build();

        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    int status;
                    String v = "";
                    try {
                        HttpResponse<String> r = http.send(infer, HttpResponse.BodyHandlers.ofString());
                        status = r.statusCode();
                        int at = r.body().indexOf("\"version\":\"");
                        if (at >= 0) v = r.body().substring(at + 11, r.body().indexOf('"', at + 11));
                    } catch (Exception e) {
                        status = -1;
                    }
                    samples.add(new Sample(start, System.nanoTime() - start, status, v));
                }
            });
            t.start();
            clients.add(t);
        }
        long t0 = System.nanoTime();
        Thread.sleep(Duration.ofNanos(steady).toMillis());
        long assigned = System.nanoTime();
        HttpResponse<String> d = http.send(HttpRequest.newBuilder(URI.create(server + "/api/v1/deployments"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"kws\",\"version\":\"" + version + "\",\"device\":\"" + device + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (d.statusCode() != 201) throw new IllegalStateException("deployment answered " + d.statusCode() + ": " + d.body());
        long serving = -1;
        while (serving < 0) {
            Thread.sleep(20);
            synchronized (samples) {
                for (Sample s : samples) {
                    if (s.version().equals(version) && (serving < 0 || s.startNanos() < serving)) serving = s.startNanos();
                }
            }
            if (System.nanoTime() - assigned > Duration.ofMinutes(5).toNanos()) throw new IllegalStateException("never served " + version);
        }
        Thread.sleep(Duration.ofNanos(steady).toMillis());
        long end = System.nanoTime();
        stop.set(true);
        for (Thread t : clients) t.join();

        System.out.printf("| phase | requests | failed | p50 | p99 | max |%n|---|---|---|---|---|---|%n");
        row("steady, before the assignment", samples, t0 + Duration.ofSeconds(2).toNanos(), assigned);
        row("assignment → " + version + " serving (" + ms(serving - assigned) + ")", samples, assigned, serving);
        row("after, " + version + " serving", samples, serving, end);

        // Where in the swap the slow requests were: 500 ms buckets, wall-clock times to match the updater's log.
        long wallOffset = System.currentTimeMillis() * 1_000_000 - System.nanoTime();
        System.out.printf("%nbucket start | requests | failed | p50 | max%n");
        for (long b = assigned; b < serving + Duration.ofSeconds(2).toNanos(); b += Duration.ofMillis(500).toNanos()) {
            List<Long> lat = new ArrayList<>();
            int failed = 0;
            synchronized (samples) {
                for (Sample s : samples) {
                    if (s.startNanos() < b || s.startNanos() >= b + Duration.ofMillis(500).toNanos()) continue;
                    if (s.status() != 200) failed++;
                    else lat.add(s.latencyNanos());
                }
            }
            Collections.sort(lat);
            System.out.printf("%s | %d | %d | %s | %s%n",
                    java.time.LocalTime.ofInstant(java.time.Instant.ofEpochMilli((b + wallOffset) / 1_000_000), java.time.ZoneOffset.UTC),
                    lat.size() + failed, failed, pct(lat, 0.5), lat.isEmpty() ? "-" : ms(lat.get(lat.size() - 1)));
        }
    }

    static void row(String label, List<Sample> all, long from, long to) {
        List<Long> lat = new ArrayList<>();
        int failed = 0;
        synchronized (all) {
            for (Sample s : all) {
                if (s.startNanos() < from || s.startNanos() >= to) continue;
                if (s.status() != 200) failed++;
                else lat.add(s.latencyNanos());
            }
        }
        Collections.sort(lat);
        System.out.printf("| %s | %d | %d | %s | %s | %s |%n", label, lat.size() + failed, failed,
                pct(lat, 0.50), pct(lat, 0.99), lat.isEmpty() ? "-" : ms(lat.get(lat.size() - 1)));
    }

    static String pct(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return "-";
        return ms(sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * q) - 1)));
    }

    static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }
}
