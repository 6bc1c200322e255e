package dev.modelyard.device.ddi;

import dev.modelyard.device.health.HealthJudge;
import dev.modelyard.device.health.HealthPolicy;
import dev.modelyard.device.health.Verdict;
import dev.modelyard.device.install.Installer;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.store.ModelStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Keeps a deployment open after its swap until the new versions have proven themselves in their
 * health window, and rolls them back (the same way as a manual rollback) when they fail it.
 *
 * <p>A restart while an action is open is treated as a failure of the versions it swapped in:
 * the device cannot tell a power cut from a crash the new model caused, and a crash loop must
 * end on the version that was proven, so those versions are reverted in the store before
 * anything is loaded.
 */
public final class HealthWatch {

    private static final Logger LOG = Logger.getLogger(HealthWatch.class.getName());

    private final ActionJournal journal;
    private final Installer installer;
    private final ModelRuntime runtime;
    private final HealthPolicy policy;
    private final Clock clock;

    /** An action whose outcome has just been decided and must be reported. */
    public record Decided(String actionId, ActionJournal.Outcome outcome) {
    }

    public HealthWatch(ActionJournal journal, Installer installer, ModelRuntime runtime, HealthPolicy policy, Clock clock) {
        this.journal = journal;
        this.installer = installer;
        this.runtime = runtime;
        this.policy = policy;
        this.clock = clock;
    }

    public HealthPolicy policy() {
        return policy;
    }

    /** Records, before the swap, that the action is about to replace {@code model}, with the replaced version's latency. */
    public void beforeSwap(String actionId, String model, String version) throws IOException {
        Optional<ModelRuntime.Stats> before = runtime.stats(model);
        String from = before.map(ModelRuntime.Stats::version).orElse(null);
        ActionJournal.Swapped s = new ActionJournal.Swapped(model, version, from,
                before.map(ModelRuntime.Stats::p99Nanos).orElse(-1L), before.map(ModelRuntime.Stats::latencySamples).orElse(0));
        List<ActionJournal.Swapped> all = new ArrayList<>(journal.open(actionId).map(ActionJournal.Open::swapped).orElse(List.of()));
        all.removeIf(x -> x.model().equals(model));
        all.add(s);
        journal.begin(actionId, new ActionJournal.Open(ActionJournal.Stage.INSTALLING, null, all));
    }

    /** After the last swap of an action: starts its health window, or returns false when there is nothing to watch. */
    public boolean startWatching(String actionId) throws IOException {
        Optional<ActionJournal.Open> open = journal.open(actionId);
        if (!policy.enabled() || open.isEmpty() || open.get().swapped().isEmpty()) return false;
        journal.begin(actionId, new ActionJournal.Open(ActionJournal.Stage.WATCHING, clock.instant(), open.get().swapped()));
        return true;
    }

    public boolean watching() {
        return journal.openActions().values().stream().anyMatch(o -> o.stage() == ActionJournal.Stage.WATCHING);
    }

    /** Judges every watched action; records and returns those decided now. */
    public List<Decided> check() throws IOException {
        List<Decided> decided = new ArrayList<>();
        Instant now = clock.instant();
        for (Map.Entry<String, ActionJournal.Open> e : journal.openActions().entrySet()) {
            if (e.getValue().stage() != ActionJournal.Stage.WATCHING) continue;
            Optional<ActionJournal.Outcome> outcome = judge(e.getValue(), now);
            if (outcome.isPresent()) {
                journal.record(e.getKey(), outcome.get());
                LOG.info("action " + e.getKey() + ": " + outcome.get().finished() + ": " + outcome.get().message());
                decided.add(new Decided(e.getKey(), outcome.get()));
            }
        }
        return decided;
    }

    private Optional<ActionJournal.Outcome> judge(ActionJournal.Open open, Instant now) {
        List<String> healthy = new ArrayList<>();
        for (ActionJournal.Swapped s : open.swapped()) {
            Optional<ModelRuntime.Stats> stats = runtime.stats(s.model());
            if (stats.isEmpty() || !stats.get().version().equals(s.version())) {
                return Optional.of(ActionJournal.Outcome.failure(s.model() + " " + s.version()
                        + " was replaced during its health window (now serving " + stats.map(ModelRuntime.Stats::version).orElse("nothing") + ")"));
            }
            HealthJudge.Baseline baseline = new HealthJudge.Baseline(String.valueOf(s.from()), s.baselineP99Nanos(), s.baselineSamples());
            Verdict v = HealthJudge.judge(policy, baseline, stats.get(), open.since(), now);
            switch (v.state()) {
                case FAILED -> {
                    return Optional.of(ActionJournal.Outcome.failure(rollBack(open, s.model() + " " + s.version() + ": " + v.reason())));
                }
                case WATCHING -> {
                    return Optional.empty();
                }
                case HEALTHY -> healthy.add("serving " + s.model() + " " + s.version() + ", " + v.reason());
            }
        }
        return Optional.of(ActionJournal.Outcome.success(String.join("; ", healthy)));
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
     * At start, before the store is served: versions that open actions swapped in but never
     * confirmed are reverted in the store (see the class comment), and those actions fail.
     * Actions that were interrupted before their swap are forgotten, so they run again.
     */
    public List<String> recover() throws IOException {
        List<String> report = new ArrayList<>();
        for (Map.Entry<String, ActionJournal.Open> e : journal.openActions().entrySet()) {
            List<String> reverted = new ArrayList<>();
            List<String> kept = new ArrayList<>();
            boolean interrupted = false;
            for (ActionJournal.Swapped s : e.getValue().swapped()) {
                Optional<ModelStore.Installed> current = installer.current(s.model());
                if (current.isEmpty() || !current.get().version().equals(s.version())) {
                    interrupted = true;
                    continue;
                }
                if (!policy.enabled() || s.from() == null || s.from().equals(s.version())) {
                    kept.add(s.model() + " " + s.version());
                } else {
                    installer.revertStored(s.model());
                    reverted.add("rolled back to " + s.from());
                }
            }
            ActionJournal.Outcome outcome = outcome(e.getValue(), reverted, interrupted ? List.of() : kept);
            if (outcome == null) {
                journal.forget(e.getKey());
                report.add("action " + e.getKey() + " was interrupted before its swap; it runs again");
            } else {
                journal.record(e.getKey(), outcome);
                report.add("action " + e.getKey() + ": " + outcome.finished() + ": " + outcome.message());
            }
        }
        return report;
    }

    private static ActionJournal.Outcome outcome(ActionJournal.Open open, List<String> reverted, List<String> kept) {
        String when = open.stage() == ActionJournal.Stage.WATCHING ? "during the health window" : "during the installation";
        if (!reverted.isEmpty()) {
            return ActionJournal.Outcome.failure(String.join(", ", reverted) + ": the updater restarted " + when);
        }
        if (kept.isEmpty()) return null;
        return ActionJournal.Outcome.success("serving " + String.join(", ", kept) + " (confirmed after a restart " + when + ")");
    }
}
