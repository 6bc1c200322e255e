package dev.modelyard.testing.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.wire.json.WireJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Many simulated DDI devices in one process, against one server. Add devices (with their
 * behaviour), {@link #start()}, let the server work, and wait for conditions:
 *
 * <pre>{@code
 * try (FleetSimulator fleet = FleetSimulator.builder(serverUri).build()) {
 *     fleet.addAll(specs, i -> i < 5 ? Behavior.healthy().failing("bad model") : Behavior.healthy());
 *     fleet.start();
 *     // … start a rollout through the API …
 *     fleet.awaitAll(fleet.devices(), d -> d.state() == SimState.SUCCEEDED, Duration.ofMinutes(2), "installed");
 * }
 * }</pre>
 *
 * Requests are asynchronous ({@link HttpClient#sendAsync}) on a few threads, with at most
 * {@code maxConcurrency} in flight; polls are timer tasks on one scheduler. With
 * {@link Builder#mqtt(String)} one MQTT connection listens to {@code {tenant}/devices/+/notify}
 * and makes the named device poll at once.
 */
public final class FleetSimulator implements AutoCloseable {

    private final URI server;
    private final HttpClient http;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService scheduler;
    private final Limiter limiter;
    private final Duration requestTimeout;
    private final Duration startSpread;
    private final String mqttBroker;
    private final ObjectMapper json = WireJson.mapper();
    private final Map<String, SimDevice> devices = new LinkedHashMap<>();
    private final Counters counters = new Counters();
    private final LatencyRecorder pollLatency = new LatencyRecorder();
    private volatile boolean started;
    private volatile boolean stopped;
    private MqttHints mqtt;

    private FleetSimulator(Builder b) {
        this.server = b.server;
        this.requestTimeout = b.requestTimeout;
        this.startSpread = b.startSpread;
        this.mqttBroker = b.mqttBroker;
        this.httpThreads = Executors.newFixedThreadPool(b.threads, daemon("fleet-http"));
        this.scheduler = Executors.newScheduledThreadPool(1, daemon("fleet-timer"));
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpThreads)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.limiter = new Limiter(b.maxConcurrency);
    }

    public static Builder builder(URI server) {
        return new Builder(server);
    }

    /** Adds a device; devices added after {@link #start()} start at once (their {@code joinAfter} still applies). */
    public synchronized SimDevice add(DeviceSpec spec, Behavior behavior) {
        String key = key(spec.tenant(), spec.controllerId());
        if (devices.containsKey(key)) throw new IllegalArgumentException("device " + key + " was added already");
        SimDevice d = new SimDevice(this, spec, behavior, server);
        devices.put(key, d);
        if (started) {
            d.start();
            if (mqtt != null) mqtt.subscribe(spec.tenant());
        }
        return d;
    }

    /** Adds devices, the i-th (0-based) with {@code behavior.apply(i)}. */
    public List<SimDevice> addAll(List<DeviceSpec> specs, IntFunction<Behavior> behavior) {
        List<SimDevice> added = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) added.add(add(specs.get(i), behavior.apply(i)));
        return added;
    }

    /** Adds devices that all behave alike. */
    public List<SimDevice> addAll(List<DeviceSpec> specs, Behavior behavior) {
        return addAll(specs, i -> behavior);
    }

    /**
     * Starts every device: each first poll comes at a random moment within the start spread (so a
     * large fleet does not poll all at once), after its own {@code joinAfter}. Connects to MQTT first
     * when configured.
     */
    public synchronized FleetSimulator start() {
        if (started) throw new IllegalStateException("started already");
        started = true;
        if (mqttBroker != null) {
            mqtt = new MqttHints(mqttBroker, this);
            Set<String> tenants = new LinkedHashSet<>();
            for (SimDevice d : devices.values()) tenants.add(d.spec().tenant());
            for (String tenant : tenants) mqtt.subscribe(tenant);
        }
        for (SimDevice d : devices.values()) d.start();
        return this;
    }

    /** The device, or null. */
    public synchronized SimDevice device(String tenant, String controllerId) {
        return devices.get(key(tenant, controllerId));
    }

    /** The device in any tenant with that controller id (tests usually have one tenant), or null. */
    public synchronized SimDevice device(String controllerId) {
        for (SimDevice d : devices.values()) if (d.controllerId().equals(controllerId)) return d;
        return null;
    }

    public synchronized List<SimDevice> devices() {
        return new ArrayList<>(devices.values());
    }

    /** How many devices are in each state now. */
    public Map<SimState, Integer> states() {
        return states(devices());
    }

    public static Map<SimState, Integer> states(Collection<SimDevice> devices) {
        Map<SimState, Integer> counts = new EnumMap<>(SimState.class);
        for (SimDevice d : devices) counts.merge(d.state(), 1, Integer::sum);
        return counts;
    }

    /** Every online device (not offline) reaches {@code state} before the timeout, or an {@link AssertionError}. */
    public void awaitAll(SimState state, Duration timeout) {
        List<SimDevice> online = devices().stream().filter(d -> !d.behavior().offline()).toList();
        awaitAll(online, d -> d.state() == state, timeout, "every online device " + state);
    }

    /** Every one of {@code devices} satisfies {@code condition} before the timeout, or an {@link AssertionError}. */
    public void awaitAll(Collection<SimDevice> devices, Predicate<SimDevice> condition, Duration timeout, String what) {
        await(() -> devices.stream().allMatch(condition), timeout, what, devices);
    }

    /** At least {@code count} of {@code devices} satisfy {@code condition} before the timeout. */
    public void awaitCount(Collection<SimDevice> devices, Predicate<SimDevice> condition, int count, Duration timeout, String what) {
        await(() -> devices.stream().filter(condition).count() >= count, timeout, what, devices);
    }

    private void await(java.util.function.BooleanSupplier done, Duration timeout, String what, Collection<SimDevice> devices) {
        Instant deadline = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                List<String> examples = devices.stream().limit(10).map(SimDevice::toString).toList();
                throw new AssertionError("not within " + timeout + ": " + what + "; states " + states(devices)
                        + ", counters " + counters.snapshot() + ", e.g. " + examples);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }

    public Counters counters() {
        return counters;
    }

    /** Latency of base polls, from sending the request to the whole answer (queueing in the simulator excluded). */
    public LatencyRecorder pollLatency() {
        return pollLatency;
    }

    /** True once the MQTT connection is subscribed to every tenant's hints. */
    public boolean mqttConnected() {
        return mqtt != null && mqtt.connected();
    }

    /** Stops polling, closes the MQTT connection and the HTTP threads. Traces stay readable. */
    @Override
    public void close() {
        stopped = true;
        for (SimDevice d : devices()) d.stop();
        if (mqtt != null) mqtt.close();
        scheduler.shutdownNow();
        httpThreads.shutdownNow();
    }

    // ---- for the devices ----

    boolean stopped() {
        return stopped;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    ObjectMapper json() {
        return json;
    }

    Duration startJitter(Behavior behavior) {
        long spread = startSpread.toMillis();
        if (spread <= 0) return Duration.ZERO;
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(spread));
    }

    /** Sends with the device's network latency, within the concurrency bound; polls feed the latency recorder. */
    CompletableFuture<HttpResponse<byte[]>> send(HttpRequest request, Behavior behavior, boolean poll) {
        if (stopped) return CompletableFuture.failedFuture(new IllegalStateException("the fleet is stopped"));
        CompletableFuture<Void> delayed = behavior.latency().isZero() ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(
                        behavior.latency().toMillis(), TimeUnit.MILLISECONDS, httpThreads));
        // A device's work on an action goes before polls: a backlog of polls must not delay downloads.
        return delayed.thenCompose(x -> limiter.submit(!poll, () -> {
            long start = System.nanoTime();
            return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
                if (poll && e == null) pollLatency.recordNanos(System.nanoTime() - start);
            });
        }));
    }

    <T> T read(byte[] body, Class<T> type) {
        try {
            return json.readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void hint(String tenant, String controllerId) {
        SimDevice d = device(tenant, controllerId);
        if (d == null) return;
        counters.hints.increment();
        d.pollNow();
    }

    private static String key(String tenant, String controllerId) {
        return tenant + "/" + controllerId;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** What the fleet did so far; every counter only grows. */
    public static final class Counters {
        final LongAdder polls = new LongAdder();
        final LongAdder notModified = new LongAdder();
        final LongAdder configData = new LongAdder();
        final LongAdder deployments = new LongAdder();
        final LongAdder downloads = new LongAdder();
        final LongAdder downloadedBytes = new LongAdder();
        final LongAdder feedbacks = new LongAdder();
        final LongAdder cancels = new LongAdder();
        final LongAdder hints = new LongAdder();
        final LongAdder errors = new LongAdder();

        public Snapshot snapshot() {
            return new Snapshot(polls.sum(), notModified.sum(), configData.sum(), deployments.sum(), downloads.sum(),
                    downloadedBytes.sum(), feedbacks.sum(), cancels.sum(), hints.sum(), errors.sum());
        }
    }

    /**
     * @param notModified polls answered 304 (the ETag matched)
     * @param deployments deploymentBase reads
     * @param hints       MQTT hints received for known devices
     * @param errors      failed requests (connection errors, unexpected statuses)
     */
    public record Snapshot(long polls, long notModified, long configData, long deployments, long downloads,
                           long downloadedBytes, long feedbacks, long cancels, long hints, long errors) {
    }

    public static final class Builder {
        private final URI server;
        private int maxConcurrency = 64;
        private int threads = 2;
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration startSpread = Duration.ZERO;
        private String mqttBroker;

        private Builder(URI server) {
            this.server = Objects.requireNonNull(server, "server");
        }

        /** Most requests in flight at once (and so connections to the server); default 64. */
        public Builder maxConcurrency(int n) {
            this.maxConcurrency = n;
            return this;
        }

        /** Threads that run the HTTP client and the devices' steps; default 2. */
        public Builder threads(int n) {
            this.threads = n;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** First polls are spread at random over this time (default none: all poll at once). */
        public Builder startSpread(Duration spread) {
            this.startSpread = spread;
            return this;
        }

        /** Listens for poll hints on this broker, e.g. {@code tcp://127.0.0.1:1883}. */
        public Builder mqtt(String brokerUri) {
            this.mqttBroker = brokerUri;
            return this;
        }

        public FleetSimulator build() {
            return new FleetSimulator(this);
        }
    }

    /**
     * At most {@code max} tasks running; the rest wait in order, urgent ones first. Never blocks a
     * thread.
     */
    private static final class Limiter {
        private final int max;
        private final AtomicInteger running = new AtomicInteger();
        private final ConcurrentLinkedQueue<Runnable> urgent = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

        Limiter(int max) {
            if (max < 1) throw new IllegalArgumentException("maxConcurrency must be at least 1");
            this.max = max;
        }

        <T> CompletableFuture<T> submit(boolean first, java.util.function.Supplier<CompletableFuture<T>> task) {
            CompletableFuture<T> result = new CompletableFuture<>();
            (first ? urgent : waiting).add(() -> {
                CompletableFuture<T> f;
                try {
                    f = task.get();
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                f.whenComplete((v, e) -> {
                    running.decrementAndGet();
                    drain();
                    if (e != null) result.completeExceptionally(e);
                    else result.complete(v);
                });
            });
            drain();
            return result;
        }

        private void drain() {
            while (!urgent.isEmpty() || !waiting.isEmpty()) {
                int n = running.get();
                if (n >= max) return;
                if (!running.compareAndSet(n, n + 1)) continue;
                Runnable r = urgent.poll();
                if (r == null) r = waiting.poll();
                if (r == null) {
                    running.decrementAndGet();
                    continue;
                }
                r.run();
            }
        }
    }
}
