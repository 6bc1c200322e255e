package dev.modelyard.device.ddi;

import dev.modelyard.device.health.HealthJudge;
import dev.modelyard.device.health.HealthPolicy;
import dev.modelyard.device.health.Verdict;
import dev.modelyard.device.install.Installer;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.store.ModelStore;
import dev.modelyard.wire.ddi.ServingHealth;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Keeps a deployment open after its swap until the new versions have proven themselves in their
 * health window, and rolls them back (the same way as a manual rollback) when they fail it.
 *
 * <p>A restart while an action is open: the device cannot tell a power cut from a crash the new
 * model caused. A version that was swapped in resumes its window for the time it has left, so a
 * single power cut does not fail a deployment; the journal counts the restarts, and once a window
 * has seen more than {@code health.max.restarts} of them the new versions are taken for the cause
 * of a crash loop and reverted in the store before anything is loaded, so the loop ends on the
 * version that was proven. A restart during a swap, before the new version reached the store (a
 * native crash or the OOM killer during warm-up or self-test), is counted against the same limit:
 * the action runs again, and once it has seen more restarts than the limit it fails without
 * another attempt, so a candidate that kills the process cannot make the device download, crash
 * and retry for ever. One count per action, installation and window together: either kind of
 * restart may be the new version's doing.
 *
 * <p>The window is measured in time served, on the monotonic clock: a wall-clock jump (NTP after a
 * boot without a real-time clock) neither extends nor skips it, and time the updater was down does
 * not count. The time served is written to the journal every tenth of the window, so a restart
 * can lengthen a window by at most a tenth (what was served since the last write).
 *
 * <p>The server hears how the new versions serve ({@link ServingHealth}): every
 * {@code health.report.interval} of the window ({@link #dueReports}), and with the closing report
 * the final figures; after an automatic rollback they describe the version that failed, taken
 * before it was rolled back.
 */
public final class HealthWatch {

    private static final Logger LOG = Logger.getLogger(HealthWatch.class.getName());
    private static final Duration MIN_PROGRESS_WRITE = Duration.ofSeconds(1);

    private final ActionJournal journal;
    private final Installer installer;
    private final ModelRuntime runtime;
    private final HealthPolicy policy;
    private final Clock clock;
    private final LongSupplier nanoTicker;
    /** Per watched action, the ticker reading at which the journal's {@code watched} was last brought up to date. */
    private final Map<String, Long> watchedSince = new HashMap<>();
    /** Per watched action, the ticker reading of its last health report (or of the start of its window). */
    private final Map<String, Long> reportedAt = new HashMap<>();

    /** An action whose outcome has just been decided and must be reported, with the final figures of its versions. */
    public record Decided(String actionId, ActionJournal.Outcome outcome, List<ServingHealth> health) {

        public Decided {
            health = List.copyOf(health);
        }

        public Decided(String actionId, ActionJournal.Outcome outcome) {
            this(actionId, outcome, List.of());
        }
    }

    /** How the versions of an action in its window serve so far, due to be reported. */
    public record Progress(String actionId, Duration watched, List<ServingHealth> health) {
    }

    /** {@code clock} stamps when watching began; {@code nanoTicker} (as {@link System#nanoTime()}) measures the window. */
    public HealthWatch(ActionJournal journal, Installer installer, ModelRuntime runtime, HealthPolicy policy, Clock clock,
                       LongSupplier nanoTicker) {
        this.journal = journal;
        this.installer = installer;
        this.runtime = runtime;
        this.policy = policy;
        this.clock = clock;
        this.nanoTicker = nanoTicker;
    }

    public HealthPolicy policy() {
        return policy;
    }

    /**
     * Records, before the swap (and so before the store promotes the version or it serves), that
     * the action is about to replace {@code model}, with the replaced version's latency.
     * {@code swaps}: how many swaps the action makes in all.
     */
    public void beforeSwap(String actionId, String model, String version, int swaps) throws IOException {
        beforeSwap(actionId, model, version, swaps, false);
    }

    /** As {@link #beforeSwap(String, String, String, int)}; {@code selfTested}: the swap runs the version's self-test. */
    public void beforeSwap(String actionId, String model, String version, int swaps, boolean selfTested) throws IOException {
        Optional<ModelRuntime.Stats> before = runtime.stats(model);
        String from = before.map(ModelRuntime.Stats::version).orElse(null);
        ActionJournal.Swapped s = new ActionJournal.Swapped(model, version, from,
                before.map(ModelRuntime.Stats::p99Nanos).orElse(-1L), before.map(ModelRuntime.Stats::latencySamples).orElse(0),
                (selfTested ? ServingHealth.SelfTest.PASSED : ServingHealth.SelfTest.NONE).wireName());
        List<ActionJournal.Swapped> all = new ArrayList<>(journal.open(actionId).map(ActionJournal.Open::swapped).orElse(List.of()));
        all.removeIf(x -> x.model().equals(model));
        all.add(s);
        // An action run again after a restart during its swap keeps the restarts it has seen.
        int restarts = journal.open(actionId).map(ActionJournal.Open::restarts).orElse(0);
        journal.begin(actionId, new ActionJournal.Open(ActionJournal.Stage.INSTALLING, null, all, Math.max(swaps, all.size()), restarts,
                Duration.ZERO));
    }

    /** After the last swap of an action: starts its health window, or returns false when there is nothing to watch. */
    public boolean startWatching(String actionId) throws IOException {
        Optional<ActionJournal.Open> open = journal.open(actionId);
        if (!policy.enabled() || open.isEmpty() || open.get().swapped().isEmpty()) return false;
        ActionJournal.Open o = open.get();
        journal.begin(actionId, new ActionJournal.Open(ActionJournal.Stage.WATCHING, clock.instant(), o.swapped(), o.swaps(),
                o.restarts(), Duration.ZERO));
        long now = nanoTicker.getAsLong();
        watchedSince.put(actionId, now);
        reportedAt.put(actionId, now);
        return true;
    }

    /**
     * The watched actions whose last health report is {@code health.report.interval} old or
     * older, with their figures so far; each counts as reported from now.
     */
    public List<Progress> dueReports() {
        List<Progress> due = new ArrayList<>();
        long interval = policy.reportInterval().toNanos();
        for (Map.Entry<String, ActionJournal.Open> e : journal.openActions().entrySet()) {
            if (e.getValue().stage() != ActionJournal.Stage.WATCHING) continue;
            long now = nanoTicker.getAsLong();
            long last = reportedAt.computeIfAbsent(e.getKey(), k -> now);
            if (now - last < interval) continue;
            reportedAt.put(e.getKey(), now);
            Duration watched = watched(e.getKey(), e.getValue(), now);
            due.add(new Progress(e.getKey(), watched, figures(e.getValue(), watched, false)));
        }
        return due;
    }

    /**
     * The closing figures of an action whose swap of its newest version was refused by that
     * version's self-test: nothing served, the self-test failed. Empty when the action has no swap open.
     */
    public List<ServingHealth> selfTestFailed(String actionId) {
        Optional<ActionJournal.Open> open = journal.open(actionId);
        if (open.isEmpty() || open.get().swapped().isEmpty()) return List.of();
        ActionJournal.Swapped s = open.get().swapped().get(open.get().swapped().size() - 1);
        Double baseline = baselineMs(s);
        return List.of(new ServingHealth(s.model(), s.version(), s.from(), 0, 0, 0, null, null, baseline, null,
                ServingHealth.SelfTest.FAILED.wireName(), true));
    }

    public boolean watching() {
        return journal.openActions().values().stream().anyMatch(o -> o.stage() == ActionJournal.Stage.WATCHING);
    }

    /** Judges every watched action; records and returns those decided now. */
    public List<Decided> check() throws IOException {
        List<Decided> decided = new ArrayList<>();
        for (Map.Entry<String, ActionJournal.Open> e : journal.openActions().entrySet()) {
            if (e.getValue().stage() != ActionJournal.Stage.WATCHING) continue;
            long now = nanoTicker.getAsLong();
            watchedSince.putIfAbsent(e.getKey(), now);
            Duration watched = watched(e.getKey(), e.getValue(), now);
            Optional<Decided> decision = judge(e.getKey(), e.getValue(), watched);
            if (decision.isPresent()) {
                ActionJournal.Outcome outcome = decision.get().outcome();
                journal.record(e.getKey(), outcome, decision.get().health());
                watchedSince.remove(e.getKey());
                reportedAt.remove(e.getKey());
                LOG.info("action " + e.getKey() + ": " + outcome.finished() + ": " + outcome.message());
                decided.add(decision.get());
            } else if (watched.minus(e.getValue().watched()).compareTo(progressWriteInterval()) >= 0) {
                ActionJournal.Open o = e.getValue();
                journal.begin(e.getKey(), new ActionJournal.Open(o.stage(), o.since(), o.swapped(), o.swaps(), o.restarts(), watched));
                watchedSince.put(e.getKey(), now);
            }
        }
        return decided;
    }

    /** The time the action's versions have served in their window, up to the ticker reading {@code now}. */
    private Duration watched(String actionId, ActionJournal.Open open, long now) {
        long since = watchedSince.getOrDefault(actionId, now);
        return open.watched().plusNanos(Math.max(0, now - since));
    }

    /** The figures of each version the action swapped in that still serves (a replaced one has none left to give). */
    private List<ServingHealth> figures(ActionJournal.Open open, Duration watched, boolean complete) {
        List<ServingHealth> out = new ArrayList<>();
        for (ActionJournal.Swapped s : open.swapped()) {
            Optional<ModelRuntime.Stats> stats = runtime.stats(s.model()).filter(st -> st.version().equals(s.version()));
            if (stats.isEmpty()) continue;
            ModelRuntime.Stats st = stats.get();
            Double p99 = millis(st.p99Nanos());
            Double baseline = baselineMs(s);
            out.add(new ServingHealth(s.model(), s.version(), s.from(), watched.toSeconds(), st.requests(), st.errors(),
                    millis(st.p50Nanos()), p99, baseline, ServingHealth.ratio(p99, baseline), s.selfTest(), complete));
        }
        return out;
    }

    /** The replaced version's p99 in milliseconds; null on a first install or when it had served nothing. */
    private static Double baselineMs(ActionJournal.Swapped s) {
        return s.from() == null || s.baselineSamples() == 0 ? null : millis(s.baselineP99Nanos());
    }

    private static Double millis(long nanos) {
        return nanos < 0 ? null : nanos / 1_000_000.0;
    }

    /** How much served time a restart may lose, at most: a tenth of the window. */
    private Duration progressWriteInterval() {
        Duration tenth = policy.window().dividedBy(10);
        return tenth.compareTo(MIN_PROGRESS_WRITE) < 0 ? MIN_PROGRESS_WRITE : tenth;
    }

    private Optional<Decided> judge(String actionId, ActionJournal.Open open, Duration watched) {
        List<String> healthy = new ArrayList<>();
        for (ActionJournal.Swapped s : open.swapped()) {
            Optional<ModelRuntime.Stats> stats = runtime.stats(s.model());
            if (stats.isEmpty() || !stats.get().version().equals(s.version())) {
                return Optional.of(new Decided(actionId, ActionJournal.Outcome.failure(s.model() + " " + s.version()
                        + " was replaced during its health window (now serving " + stats.map(ModelRuntime.Stats::version).orElse("nothing") + ")"),
                        figures(open, watched, true)));
            }
            HealthJudge.Baseline baseline = new HealthJudge.Baseline(String.valueOf(s.from()), s.baselineP99Nanos(), s.baselineSamples());
            Verdict v = HealthJudge.judge(policy, baseline, stats.get(), watched);
            switch (v.state()) {
                case FAILED -> {
                    // The figures first: after the rollback the runtime serves, and counts, the old version.
                    List<ServingHealth> last = figures(open, watched, true);
                    return Optional.of(new Decided(actionId,
                            ActionJournal.Outcome.failure(rollBack(open, s.model() + " " + s.version() + ": " + v.reason())), last));
                }
                case WATCHING -> {
                    return Optional.empty();
                }
                case HEALTHY -> healthy.add("serving " + s.model() + " " + s.version() + ", " + v.reason());
            }
        }
        return Optional.of(new Decided(actionId, ActionJournal.Outcome.success(String.join("; ", healthy)),
                figures(open, watched, true)));
    }

    /** Reverts every version the action swapped in, newest first; returns the reason with what was done. */
    private String rollBack(ActionJournal.Open open, String reason) {
        List<String> done = new ArrayList<>();
        List<ActionJournal.Swapped> swapped = new ArrayList<>(open.swapped());
        java.util.Collections.reverse(swapped);
        for (ActionJournal.Swapped s : swapped) {
            if (s.from() == null) {
                done.add("kept " + s.model() + " " + s.version() + ": no previous version to roll back to");
                continue;
            }
            try {
                Optional<ModelStore.Installed> back = installer.rollbackFrom(s.model(), s.version());
                done.add(back.map(b -> "rolled back to " + b.version())
                        .orElse(s.model() + " " + s.version() + " was no longer current"));
            } catch (Installer.Refused e) {
                done.add("could not roll back " + s.model() + ": " + e.getMessage());
            }
        }
        return String.join(", ", done) + ": " + reason;
    }

    /**
     * At start, before the store is served. For each open action: if every swap it makes reached
     * the store, it was swapped in (and may have served); its window resumes, or, after more than
     * {@code health.max.restarts} restarts in the window, the new versions are reverted in the
     * store (see the class comment) and the action fails. With the window off, a swapped-in action
     * is confirmed. An action interrupted before its (last) swap runs again, unless an earlier
     * swap of it had already reached the store: then that is reverted and the action fails. A
     * restart during such a swap is counted; one more than {@code health.max.restarts} and the
     * action fails instead of running again (see the class comment).
     */
    public List<String> recover() throws IOException {
        List<String> report = new ArrayList<>();
        for (Map.Entry<String, ActionJournal.Open> e : journal.openActions().entrySet()) {
            String id = e.getKey();
            ActionJournal.Open open = e.getValue();
            List<ActionJournal.Swapped> promoted = open.swapped().stream()
                    .filter(s -> installer.current(s.model()).map(c -> c.version().equals(s.version())).orElse(false)).toList();
            boolean swappedIn = open.allSwapsRecorded() && promoted.size() == open.swapped().size();
            if (!swappedIn) {
                List<String> reverted = policy.enabled() ? revertStored(promoted) : List.of();
                if (reverted.isEmpty()) {
                    interrupted(id, open, report);
                } else {
                    close(id, ActionJournal.Outcome.failure(String.join(", ", reverted)
                            + ": the updater restarted during the installation"), report);
                }
            } else if (!policy.enabled()) {
                close(id, ActionJournal.Outcome.success("serving " + names(promoted) + " (confirmed after a restart "
                        + (open.stage() == ActionJournal.Stage.WATCHING ? "during the health window" : "during the installation") + ")"), report);
            } else if (open.restarts() + 1 > policy.maxRestarts()) {
                List<String> done = new ArrayList<>(revertStored(promoted));
                promoted.stream().filter(s -> !revertible(s))
                        .forEach(s -> done.add("kept " + s.model() + " " + s.version() + ": no previous version to roll back to"));
                close(id, ActionJournal.Outcome.failure(String.join(", ", done) + ": the updater restarted " + (open.restarts() + 1)
                        + " times during the health window (health.max.restarts=" + policy.maxRestarts() + ")"), report);
            } else {
                resume(id, open, report);
            }
        }
        return report;
    }

    /**
     * An action that restarted before any of its versions reached the store. A restart during a
     * swap (its versions recorded as about to be swapped) counts: the candidate may have crashed
     * the process in warm-up or self-test. A restart before that (e.g. while downloading) does not.
     */
    private void interrupted(String id, ActionJournal.Open open, List<String> report) throws IOException {
        if (open.swapped().isEmpty()) {
            report.add("action " + id + " was interrupted before its swap; it runs again");
            return;
        }
        int restarts = open.restarts() + 1;
        if (restarts > policy.maxRestarts()) {
            close(id, ActionJournal.Outcome.failure(names(open.swapped()) + " not installed: the updater restarted " + restarts
                    + " times while installing it (health.max.restarts=" + policy.maxRestarts() + ")"), report);
            return;
        }
        // Nothing of it is swapped in: the swaps are recorded again when the action runs again.
        journal.begin(id, new ActionJournal.Open(ActionJournal.Stage.INSTALLING, null, List.of(), open.swaps(), restarts, Duration.ZERO));
        report.add("action " + id + ": the updater restarted while installing " + names(open.swapped()) + " (restart " + restarts
                + " of at most " + policy.maxRestarts() + "); it runs again");
    }

    private void resume(String id, ActionJournal.Open open, List<String> report) throws IOException {
        int restarts = open.restarts() + 1;
        journal.begin(id, new ActionJournal.Open(ActionJournal.Stage.WATCHING, open.since() != null ? open.since() : clock.instant(),
                open.swapped(), open.swaps(), restarts, open.watched()));
        long now = nanoTicker.getAsLong();
        watchedSince.put(id, now);
        reportedAt.put(id, now);
        Duration left = policy.window().minus(open.watched());
        report.add("action " + id + ": " + names(open.swapped()) + " resumes its health window after restart " + restarts
                + " of at most " + policy.maxRestarts() + " (" + Math.max(0, left.toSeconds()) + " s of "
                + policy.window().toSeconds() + " s left)");
    }

    private void close(String id, ActionJournal.Outcome outcome, List<String> report) throws IOException {
        journal.record(id, outcome);
        report.add("action " + id + ": " + outcome.finished() + ": " + outcome.message());
    }

    /** Makes the replaced versions current again in the store only; returns what was done. */
    private List<String> revertStored(List<ActionJournal.Swapped> swapped) throws IOException {
        List<String> reverted = new ArrayList<>();
        for (ActionJournal.Swapped s : swapped) {
            if (!revertible(s)) continue;
            installer.revertStored(s.model());
            reverted.add("rolled back to " + s.from());
        }
        return reverted;
    }

    private static boolean revertible(ActionJournal.Swapped s) {
        return s.from() != null && !s.from().equals(s.version());
    }

    private static String names(List<ActionJournal.Swapped> swapped) {
        return String.join(", ", swapped.stream().map(s -> s.model() + " " + s.version()).toList());
    }
}
