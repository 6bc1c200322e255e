package dev.modelyard.testing.fleet;

import dev.modelyard.wire.ddi.CancelActionBase;
import dev.modelyard.wire.ddi.ConfigData;
import dev.modelyard.wire.ddi.ControllerBase;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.ddi.Links;
import dev.modelyard.wire.ddi.ServingHealth;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One simulated device: a poll loop driven by timers and asynchronous requests (no thread of its
 * own). A poll that offers a deployment leads to deploymentBase, the download, and feedback
 * ({@code proceeding} during the health window, then {@code closed}); a poll that asks to cancel
 * leads to the cancel feedback. Work left half-done by a failed request is resumed by the next poll.
 */
public final class SimDevice {

    private static final String RELEASE_SUFFIX = ".release.json";
    private static final String SELF_TEST_SUFFIX = ".selftest.json";

    private final FleetSimulator fleet;
    private final DeviceSpec spec;
    private final Behavior behavior;
    private final String base;
    private final NavigableMap<Long, ActionTrace> traces = new ConcurrentSkipListMap<>();
    private final Map<String, String> installed = new ConcurrentHashMap<>();
    private final Object schedule = new Object();
    private ScheduledFuture<?> next;
    private boolean polling;
    private boolean pollAgain;
    private volatile boolean joined;
    private volatile long polls;
    private volatile Instant lastPollAt;
    private volatile String lastError;
    // Touched only by the poll chain, which never runs twice at once for one device.
    private volatile String etag;
    private ControllerBase lastAnswer;

    SimDevice(FleetSimulator fleet, DeviceSpec spec, Behavior behavior, URI server) {
        this.fleet = fleet;
        this.spec = spec;
        this.behavior = behavior;
        this.base = server.toString().replaceAll("/+$", "") + "/" + spec.tenant() + "/controller/v1/" + spec.controllerId();
    }

    public String controllerId() {
        return spec.controllerId();
    }

    public DeviceSpec spec() {
        return spec;
    }

    public Behavior behavior() {
        return behavior;
    }

    /** The state of the newest action (highest id), or why there is none. */
    public SimState state() {
        if (behavior.offline()) return SimState.OFFLINE;
        if (!joined) return SimState.NOT_JOINED;
        Map.Entry<Long, ActionTrace> newest = traces.lastEntry();
        return newest == null ? SimState.IDLE : newest.getValue().state();
    }

    /** Every action this device has seen, oldest first. */
    public List<ActionTrace> traces() {
        return new ArrayList<>(traces.values());
    }

    /** The trace of one action, or null when the device never saw it. */
    public ActionTrace trace(long actionId) {
        return traces.get(actionId);
    }

    /** The newest action's trace, or null. */
    public ActionTrace newest() {
        Map.Entry<Long, ActionTrace> e = traces.lastEntry();
        return e == null ? null : e.getValue();
    }

    /** The version of {@code model} this device runs after its last successful install, or null. */
    public String installedVersion(String model) {
        return installed.get(model);
    }

    public long polls() {
        return polls;
    }

    public Instant lastPollAt() {
        return lastPollAt;
    }

    /** The last request failure, for diagnosing a test that timed out. */
    public String lastError() {
        return lastError;
    }

    @Override
    public String toString() {
        return spec.controllerId() + " " + state() + (lastError == null ? "" : " (last error: " + lastError + ")");
    }

    // ---- scheduling ----

    void start() {
        if (behavior.offline()) return;
        Duration first = behavior.joinAfter().plus(fleet.startJitter(behavior));
        synchronized (schedule) {
            next = fleet.scheduler().schedule(this::cycle, first.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Polls as soon as possible (an MQTT hint): at once when waiting, right after the current poll otherwise. */
    public void pollNow() {
        if (behavior.offline() || !joined || fleet.stopped()) return;
        synchronized (schedule) {
            if (polling) {
                pollAgain = true;
            } else if (next != null && next.cancel(false)) {
                next = fleet.scheduler().schedule(this::cycle, 0, TimeUnit.MILLISECONDS);
            }
        }
    }

    void stop() {
        synchronized (schedule) {
            if (next != null) next.cancel(false);
        }
    }

    private void cycle() {
        synchronized (schedule) {
            if (polling || fleet.stopped()) return;
            polling = true;
            pollAgain = false;
        }
        joined = true;
        CompletableFuture<Duration> done;
        try {
            done = pollOnce();
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((sleep, error) -> {
            if (error != null) failed(error);
            Duration wait = sleep != null ? sleep : fallbackInterval();
            synchronized (schedule) {
                polling = false;
                if (pollAgain) wait = Duration.ZERO;
                if (!fleet.stopped()) next = fleet.scheduler().schedule(this::cycle, wait.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private Duration fallbackInterval() {
        return behavior.pollInterval() != null ? behavior.pollInterval() : Duration.ofSeconds(5);
    }

    private void failed(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        lastError = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        fleet.counters().errors.increment();
    }

    // ---- the protocol ----

    private CompletableFuture<Duration> pollOnce() {
        HttpRequest.Builder b = get(base);
        if (etag != null) b.header("If-None-Match", etag);
        return fleet.send(b.build(), behavior, true).thenCompose(r -> {
            polls++;
            lastPollAt = Instant.now();
            fleet.counters().polls.increment();
            ControllerBase answer;
            if (r.statusCode() == 304 && lastAnswer != null) {
                fleet.counters().notModified.increment();
                answer = lastAnswer;
            } else if (r.statusCode() == 200) {
                answer = fleet.read(r.body(), ControllerBase.class);
                lastAnswer = answer;
                etag = r.headers().firstValue("ETag").orElse(null);
            } else {
                throw new IllegalStateException("poll answered " + r.statusCode());
            }
            Duration sleep = behavior.pollInterval() != null ? behavior.pollInterval()
                    : ControllerBase.parseSleep(answer.config().polling().sleep());
            CompletableFuture<Void> work = CompletableFuture.completedFuture(null);
            String configData = answer.href(Links.CONFIG_DATA);
            if (configData != null && !spec.attributes().isEmpty()) work = work.thenCompose(x -> configData(configData));
            String cancel = answer.href(Links.CANCEL_ACTION);
            String deployment = answer.href(Links.DEPLOYMENT_BASE);
            if (cancel != null) {
                work = work.thenCompose(x -> cancel(cancel));
            } else if (deployment != null) {
                work = work.thenCompose(x -> deployment(deployment));
            }
            return work.thenApply(x -> sleep);
        });
    }

    private CompletableFuture<Void> configData(String href) {
        byte[] body = fleet.write(new ConfigData(spec.attributes(), ConfigData.Mode.MERGE.wireName()));
        HttpRequest r = request(href).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return fleet.send(r, behavior, false).thenAccept(resp -> {
            expectOk(resp, "configData");
            // The poll answer changed (no configData link): read it afresh next time.
            etag = null;
            fleet.counters().configData.increment();
        });
    }

    private CompletableFuture<Void> cancel(String href) {
        return fleet.send(get(href).build(), behavior, false).thenCompose(r -> {
            expectOk(r, "cancelAction");
            long stopId = Long.parseLong(fleet.read(r.body(), CancelActionBase.class).cancelAction().stopId());
            ActionTrace t = traces.computeIfAbsent(stopId, id -> new ActionTrace(id, Instant.now()));
            return post(base + "/cancelAction/" + stopId + "/feedback",
                    feedback(Feedback.Execution.CLOSED, Feedback.Finished.SUCCESS, "canceled by the simulated device", null))
                    .thenAccept(status -> {
                        fleet.counters().cancels.increment();
                        t.close(SimState.CANCELED, status == 410 ? "closed on the server" : "canceled", Instant.now());
                    });
        });
    }

    private CompletableFuture<Void> deployment(String href) {
        long actionId = actionId(href);
        ActionTrace existing = traces.get(actionId);
        if (existing != null && (existing.state().closed() || existing.state() == SimState.HEALTH_WINDOW)) {
            return CompletableFuture.completedFuture(null);
        }
        ActionTrace t = existing != null ? existing : traces.computeIfAbsent(actionId, id -> new ActionTrace(id, Instant.now()));
        return fleet.send(get(href).build(), behavior, false).thenCompose(r -> {
            expectOk(r, "deploymentBase");
            fleet.counters().deployments.increment();
            DeploymentBase d = fleet.read(r.body(), DeploymentBase.class);
            DeploymentBase.Chunk first = d.deployment().chunks().get(0);
            t.fetched(first.name(), first.version(), Instant.now());
            boolean windowClosed = DeploymentBase.UNAVAILABLE.equalsIgnoreCase(d.deployment().maintenanceWindow());
            boolean needsDownload = !DeploymentBase.SKIP.equals(d.deployment().download()) && t.downloadFinishedAt() == null
                    && behavior.downloadBytes() != 0;
            CompletableFuture<String> download = needsDownload ? download(t, d.deployment().chunks())
                    : CompletableFuture.completedFuture(null);
            return download.thenCompose(problem -> {
                if (problem != null) return close(t, SimState.FAILED, problem);
                if (windowClosed && behavior.honourMaintenanceWindow()) {
                    t.state(SimState.WAITING_FOR_WINDOW);
                    return CompletableFuture.completedFuture(null);
                }
                if (DeploymentBase.SKIP.equals(d.deployment().update())) return downloaded(t);
                return install(t);
            });
        });
    }

    /** Downloads every chunk's payload; the answer is null, or what was wrong with a download. */
    private CompletableFuture<String> download(ActionTrace t, List<DeploymentBase.Chunk> chunks) {
        t.downloadStarted(Instant.now());
        CompletableFuture<String> chain = CompletableFuture.completedFuture(null);
        for (DeploymentBase.Chunk chunk : chunks) {
            for (DeploymentBase.Artifact a : chunk.artifacts()) {
                if (a.filename().endsWith(RELEASE_SUFFIX) || a.filename().endsWith(SELF_TEST_SUFFIX)) continue;
                chain = chain.thenCompose(problem -> problem != null ? CompletableFuture.completedFuture(problem) : download(t, a));
            }
        }
        return chain.thenApply(problem -> {
            if (problem == null) t.downloadFinished(0, Instant.now());
            return problem;
        });
    }

    private CompletableFuture<String> download(ActionTrace t, DeploymentBase.Artifact a) {
        String href = a.href(Links.DOWNLOAD_HTTP) != null ? a.href(Links.DOWNLOAD_HTTP) : a.href(Links.DOWNLOAD);
        if (href == null) return CompletableFuture.completedFuture("no download link for " + a.filename());
        HttpRequest.Builder b = get(href).header("Accept", "application/octet-stream");
        boolean partial = behavior.downloadBytes() > 0;
        if (partial) b.header("Range", "bytes=0-" + (Math.min(behavior.downloadBytes(), a.size()) - 1));
        return fleet.send(b.build(), behavior, false).thenApply(r -> {
            if (r.statusCode() != 200 && r.statusCode() != 206) {
                throw new IllegalStateException("download of " + a.filename() + " answered " + r.statusCode());
            }
            fleet.counters().downloads.increment();
            fleet.counters().downloadedBytes.add(r.body().length);
            t.downloadFinished(r.body().length, Instant.now());
            if (partial) return null;
            String sha256 = sha256(r.body());
            return sha256.equalsIgnoreCase(a.hashes().sha256()) ? null
                    : "sha256 of " + a.filename() + " is " + sha256 + ", expected " + a.hashes().sha256();
        });
    }

    private CompletableFuture<Void> install(ActionTrace t) {
        if (fails(t)) return close(t, SimState.FAILED, behavior.failureReason());
        if (behavior.healthWindow().isZero()) return close(t, SimState.SUCCEEDED, null);
        Instant swapped = Instant.now();
        return post(feedbackUri(t), feedback(Feedback.Execution.PROCEEDING, Feedback.Finished.NONE,
                "serving the new model during its health window", health(t, swapped, false))).thenAccept(status -> {
            if (status == 410) {
                t.close(SimState.CANCELED, "closed on the server", Instant.now());
                return;
            }
            t.state(SimState.HEALTH_WINDOW);
            fleet.scheduler().schedule(() -> endHealthWindow(t, swapped), behavior.healthWindow().toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /**
     * Closes with success after the health window. A failed request is tried again every second
     * for as long as the fleet runs, as an updater does while its server restarts.
     */
    private void endHealthWindow(ActionTrace t, Instant swapped) {
        if (t.state().closed() || fleet.stopped()) return;
        post(feedbackUri(t), feedback(Feedback.Execution.CLOSED, Feedback.Finished.SUCCESS, "health window passed",
                health(t, swapped, true))).whenComplete((status, error) -> {
            if (error == null) {
                closed(t, status == 410 ? SimState.CANCELED : SimState.SUCCEEDED, status == 410 ? "closed on the server" : null);
            } else {
                failed(error);
                if (!fleet.stopped()) fleet.scheduler().schedule(() -> endHealthWindow(t, swapped), 1, TimeUnit.SECONDS);
            }
        });
    }

    private CompletableFuture<Void> downloaded(ActionTrace t) {
        return post(feedbackUri(t), feedback(Feedback.Execution.DOWNLOADED, Feedback.Finished.NONE, "downloaded", null))
                .thenAccept(status -> closed(t, status == 410 ? SimState.CANCELED : SimState.DOWNLOADED, null));
    }

    private CompletableFuture<Void> close(ActionTrace t, SimState outcome, String reason) {
        Feedback.Finished finished = outcome == SimState.SUCCEEDED ? Feedback.Finished.SUCCESS : Feedback.Finished.FAILURE;
        String detail = reason != null ? reason : "installed";
        return post(feedbackUri(t), feedback(Feedback.Execution.CLOSED, finished, detail, health(t, Instant.now(), true)))
                .thenAccept(status -> closed(t, status == 410 ? SimState.CANCELED : outcome, status == 410 ? "closed on the server" : reason));
    }

    private void closed(ActionTrace t, SimState outcome, String reason) {
        if (t.close(outcome, reason, Instant.now()) && outcome == SimState.SUCCEEDED && t.model() != null) {
            installed.put(t.model(), t.version());
        }
        etag = null;
    }

    private boolean fails(ActionTrace t) {
        long actionId = t.actionId();
        if (behavior.failureRate() <= 0) return false;
        if (behavior.failingVersion() != null && !behavior.failingVersion().equals(t.version())) return false;
        if (behavior.failureRate() >= 1) return true;
        return new SplittableRandom(spec.controllerId().hashCode() * 1_000_003L + actionId).nextDouble() < behavior.failureRate();
    }

    private List<ServingHealth> health(ActionTrace t, Instant swapped, boolean complete) {
        if (behavior.health() == null || t.model() == null) return null;
        long served = Math.max(0, Duration.between(swapped, Instant.now()).toSeconds());
        return List.of(behavior.health().toWire(t.model(), t.version(), installed.get(t.model()), served, complete));
    }

    private static Feedback feedback(Feedback.Execution execution, Feedback.Finished finished, String detail,
                                     List<ServingHealth> health) {
        return Feedback.of(execution, finished, List.of(detail), health);
    }

    /** Posts feedback; the answer is the status (200, or 410 when the server already closed the action). */
    private CompletableFuture<Integer> post(String uri, Feedback body) {
        HttpRequest r = request(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(fleet.write(body))).build();
        return fleet.send(r, behavior, false).thenApply(resp -> {
            if (resp.statusCode() != 200 && resp.statusCode() != 410) {
                throw new IllegalStateException("feedback answered " + resp.statusCode() + ": " + new String(resp.body()));
            }
            fleet.counters().feedbacks.increment();
            return resp.statusCode();
        });
    }

    private String feedbackUri(ActionTrace t) {
        return base + "/deploymentBase/" + t.actionId() + "/feedback";
    }

    private HttpRequest.Builder get(String uri) {
        return request(uri).header("Accept", "application/hal+json").GET();
    }

    private HttpRequest.Builder request(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(fleet.requestTimeout())
                .header("Authorization", "TargetToken " + spec.token());
    }

    private static void expectOk(HttpResponse<byte[]> r, String what) {
        if (r.statusCode() != 200) throw new IllegalStateException(what + " answered " + r.statusCode());
    }

    /** The action id of a deploymentBase or cancelAction link: its last path segment. */
    static long actionId(String href) {
        String path = URI.create(href).getPath();
        return Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
