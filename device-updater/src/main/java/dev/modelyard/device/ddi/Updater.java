package dev.modelyard.device.ddi;

import dev.modelyard.device.delta.PayloadFetcher;
import dev.modelyard.device.download.DownloadProgress;
import dev.modelyard.device.download.Downloader;
import dev.modelyard.device.download.ProgressFile;
import dev.modelyard.device.install.Installer;
import dev.modelyard.device.runtime.SelfTest;
import dev.modelyard.device.runtime.SwapException;
import dev.modelyard.wire.ddi.CancelActionBase;
import dev.modelyard.wire.ddi.ControllerBase;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.ddi.Links;
import dev.modelyard.wire.ddi.ServingHealth;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.VerifiedRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The device's side of a deployment: poll, report attributes, fetch the deployment, check the
 * signed metadata before downloading, download (resumably), verify, install, and report every
 * step as DDI feedback. Errors back off exponentially with jitter.
 */
public final class Updater {

    private static final Logger LOG = Logger.getLogger(Updater.class.getName());
    static final String RELEASE_SUFFIX = ".release.json";
    static final String SELF_TEST_SUFFIX = ".selftest.json";
    /** The signed authorization to install this (older) release below the installed counter. */
    static final String ROLLBACK_SUFFIX = ".rollback.json";
    /** Self-test documents are parsed in memory; a bigger one is refused rather than risk the heap. */
    static final long MAX_SELF_TEST_BYTES = 16L * 1024 * 1024;
    private static final Duration MIN_BACKOFF = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    /** How often a version in its health window is judged: a failing one is rolled back within this. */
    private static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final DdiClient ddi;
    private final Downloader downloader;
    private final Installer installer;
    private final ActionJournal journal;
    private final Path downloads;
    private final Supplier<Map<String, String>> attributes;
    private final PollSchedule schedule;
    /** The last "next poll" line logged: the same line again is logged only at FINE, so a short interval does not flood the log. */
    private String lastScheduleLine;
    private final HealthWatch health;
    private final ProgressFile progress;
    private int failures;
    private boolean attributesReported;
    /**
     * Actions downloaded and verified that wait for their maintenance window: while the server
     * says it is unavailable, later polls leave them be; once it is available they are installed
     * from the file already downloaded. After a restart they are checked (and found complete) again.
     */
    private final java.util.Set<String> waitingForWindow = new java.util.HashSet<>();
    private final PollTrigger pollTrigger = new PollTrigger();
    private final PayloadFetcher fetcher;
    private final boolean deltas;
    /** The served digests last reported ({@link DeviceAttributes#INSTALLED_PREFIX}); null before the first report. */
    private Map<String, String> reportedServed;

    /** An updater that takes the delta and compressed downloads the server offers. */
    public Updater(DdiClient ddi, Downloader downloader, Installer installer, ActionJournal journal, HealthWatch health,
                   Path downloads, Supplier<Map<String, String>> attributes, PollSchedule schedule) {
        this(ddi, downloader, installer, journal, health, downloads, attributes, schedule, true);
    }

    /**
     * {@code deltas} (setting {@code delta.enabled}): whether the device announces the delta
     * formats it applies ({@link DeviceAttributes#DELTA}) and takes the deltas offered.
     */
    public Updater(DdiClient ddi, Downloader downloader, Installer installer, ActionJournal journal, HealthWatch health,
                   Path downloads, Supplier<Map<String, String>> attributes, PollSchedule schedule, boolean deltas) {
        this.ddi = ddi;
        this.deltas = deltas;
        this.fetcher = new PayloadFetcher((href, part, size, p) -> ddi.download(downloader, href, part, size, p), downloads, deltas);
        this.health = health;
        this.downloader = downloader;
        this.installer = installer;
        this.journal = journal;
        this.downloads = downloads;
        this.attributes = attributes;
        this.schedule = schedule;
        this.progress = progressFile(downloads);
    }

    /** Where the daemon shows the download in progress to the {@code status} command. */
    public static ProgressFile progressFile(Path downloads) {
        return new ProgressFile(downloads.resolve("progress.json"));
    }

    /**
     * Polls and acts until {@code stop} is set, judging versions in their health window between
     * polls. Nothing ends the loop but {@code stop}: the daemon must keep following the server
     * whatever one cycle ran into, even an OutOfMemoryError.
     */
    public void run(AtomicBoolean stop) {
        progress.clear(); // left by a daemon that was killed mid-download: no download is under way now
        long nextPoll = System.nanoTime(); // the first poll at once: a new device should not wait an interval to be seen
        boolean asked = false;
        while (!stop.get()) {
            boolean due = System.nanoTime() - nextPoll >= 0;
            // A hint does not cut a failure back-off short: a server that is failing would
            // otherwise get a poll per hint from every device; the retry after it covers the hint.
            if (asked && !due && failures > 0) LOG.fine("push hint during the failure back-off: the retry will poll");
            if (due || (asked && failures == 0)) {
                if (asked && !due) LOG.fine("polling now: the server sent a push hint");
                nextPoll = System.nanoTime() + pollSafely().toNanos();
            }
            watchHealth();
            long untilPoll = Math.max(0, nextPoll - System.nanoTime());
            long nap = health.watching() ? Math.min(untilPoll, HEALTH_CHECK_INTERVAL.toNanos()) : untilPoll;
            asked = pollTrigger.await(Duration.ofNanos(nap), stop);
        }
    }

    /**
     * Polls as soon as the loop can, instead of at the scheduled time (a push hint says the
     * server has something). From any thread; never lost, and requests made before the loop
     * gets to them are one poll.
     */
    public void pollNow() {
        pollTrigger.trigger();
    }

    /** One cycle; returns how long to wait before the next one. */
    private Duration pollSafely() {
        try {
            PollSchedule.Next next = schedule.afterPoll(cycle());
            failures = 0;
            String line = next.describe();
            LOG.log(line.equals(lastScheduleLine) ? Level.FINE : Level.INFO, line);
            lastScheduleLine = line;
            return next.sleep();
        } catch (IOException | RuntimeException e) {
            failures++;
            Duration sleep = schedule.afterFailure(backoff(failures));
            LOG.log(Level.WARNING, "poll failed (" + e.getMessage() + "); retrying in " + DownloadProgress.duration(sleep));
            lastScheduleLine = null;
            return sleep;
        } catch (Throwable e) {
            failures++;
            Duration sleep = schedule.afterFailure(backoff(failures));
            LOG.log(Level.SEVERE, "poll failed with " + e + "; retrying in " + DownloadProgress.duration(sleep), e);
            lastScheduleLine = null;
            return sleep;
        }
    }

    /** Judges the versions in their health window and reports the actions decided. */
    private void watchHealth() {
        try {
            for (HealthWatch.Decided d : health.check()) {
                try {
                    report(d.actionId(), d.outcome(), d.health());
                } catch (IOException e) {
                    // The journal has the outcome: it is sent again when the server next offers the action.
                    LOG.warning("could not report action " + d.actionId() + " (" + e.getMessage() + "); will report it again");
                }
            }
            for (HealthWatch.Progress p : health.dueReports()) {
                try {
                    ddi.deploymentFeedback(p.actionId(), Feedback.of(Feedback.Execution.PROCEEDING, Feedback.Finished.NONE,
                            List.of("health window: " + p.watched().toSeconds() + " of " + health.policy().window().toSeconds()
                                    + " s served"), p.health()));
                } catch (IOException e) {
                    // The next report carries newer figures anyway.
                    LOG.fine("could not report the health of action " + p.actionId() + " (" + e.getMessage() + ")");
                }
            }
        } catch (Throwable e) {
            LOG.log(Level.SEVERE, "health check failed: " + e, e);
        }
    }

    /** One poll and whatever it asks for. Returns the interval the server asks for, if it names one. */
    public Optional<Duration> cycle() throws IOException {
        ControllerBase base = ddi.poll();
        // Once per start even unasked: the attributes announce this updater (DeviceAttributes.UPDATER),
        // which a server that knew the device before may not have heard yet, and without which
        // Modelyard sends no signed metadata.
        reportAttributes(base.href(Links.CONFIG_DATA) != null || !attributesReported);
        String cancel = base.href(Links.CANCEL_ACTION);
        if (cancel != null) {
            cancel(ddi.cancelAction(cancel));
        }
        String deployment = base.href(Links.DEPLOYMENT_BASE);
        if (deployment != null && cancel == null) {
            deploy(ddi.deployment(deployment));
            try {
                // At once rather than at the next poll: the server picks the next delta's base from it.
                reportAttributes(false);
            } catch (IOException e) {
                // The deployment went through; the next poll reports what changed.
                LOG.warning("could not report the attributes after the deployment (" + e.getMessage() + "); the next poll will");
            }
        }
        return base.config() == null || base.config().polling() == null ? Optional.empty()
                : Optional.of(ControllerBase.parseSleep(base.config().polling().sleep()));
    }

    /**
     * Reports the attributes when {@code asked}, and otherwise only when the file a model serves
     * changed since the last report (an installation, a rollback by the health watch, a manual
     * one): the server offers deltas from the file named there.
     */
    private void reportAttributes(boolean asked) throws IOException {
        Map<String, String> served = installer.servedDigests();
        if (!asked && served.equals(reportedServed)) return;
        Map<String, String> a = new java.util.LinkedHashMap<>(attributes.get());
        if (deltas) a.put(DeviceAttributes.DELTA, DeviceAttributes.DELTA_FORMATS);
        served.forEach((model, sha) -> a.put(DeviceAttributes.INSTALLED_PREFIX + model, sha));
        // Merged, not replacing: attributes an operator gave the device at registration (a site, say,
        // that groups and rollouts select on) are not the updater's to drop. What the updater itself
        // announced and no longer holds is removed by name, or a delta would be built from it.
        ddi.configData(a);
        Set<String> stale = staleKeys(served);
        if (!stale.isEmpty()) ddi.removeAttributes(stale);
        attributesReported = true;
        reportedServed = served;
    }

    /**
     * The keys this updater announced that are no longer true: the delta announcement of an updater
     * with deltas off, and the installed file of a model it served at its last report and no longer
     * serves. (A model that was gone before this process started is not known here; the server only
     * builds deltas from bases the device was actually given, and the updater never uses one whose
     * base it does not hold.)
     */
    private Set<String> staleKeys(Map<String, String> served) {
        Set<String> stale = new java.util.TreeSet<>();
        if (!deltas) stale.add(DeviceAttributes.DELTA);
        if (reportedServed != null) {
            reportedServed.keySet().stream().filter(model -> !served.containsKey(model))
                    .forEach(model -> stale.add(DeviceAttributes.INSTALLED_PREFIX + model));
        }
        return stale;
    }

    private void cancel(CancelActionBase c) throws IOException {
        String id = c.cancelAction().stopId();
        if (journal.open(id).filter(o -> !o.swapped().isEmpty()).isPresent()) {
            // Already swapped in: undoing it is a rollback, which the health window decides, not a cancel.
            // (An action a restart interrupted before its swap has no swaps left open: it can be canceled.)
            ddi.cancelFeedback(c.id(), Feedback.of(Feedback.Execution.CLOSED, Feedback.Finished.FAILURE,
                    List.of("cannot cancel: the new version is already served; its health window decides")));
            return;
        }
        deletePartials(id);
        waitingForWindow.remove(id);
        ActionJournal.Outcome canceled = new ActionJournal.Outcome("closed", "success", "canceled before installation");
        ddi.cancelFeedback(c.id(), Feedback.of(Feedback.Execution.CLOSED, Feedback.Finished.SUCCESS, List.of(canceled.message())));
        journal.record(id, canceled);
        LOG.info("action " + id + " canceled");
    }

    private void deploy(DeploymentBase d) throws IOException {
        var done = journal.outcome(d.id());
        if (done.isPresent()) {
            // Finished before, but the server did not get the report: send it again.
            report(d.id(), done.get(), journal.health(d.id()));
            return;
        }
        if (journal.open(d.id()).filter(o -> o.stage() == ActionJournal.Stage.WATCHING).isPresent()) {
            return; // swapped in; the health watch decides and reports
        }
        boolean held = heldByWindow(d.deployment());
        if (held && waitingForWindow.contains(d.id())) {
            return; // downloaded and verified; the window is still closed
        }
        ActionJournal.Outcome outcome;
        List<ServingHealth> closing = List.of();
        try {
            String message = install(d);
            if (held) {
                // Stays open on the server (downloaded); asked again on every poll until the window opens.
                waitingForWindow.add(d.id());
                LOG.info("action " + d.id() + ": " + message + "; waiting for its maintenance window");
                return;
            }
            waitingForWindow.remove(d.id());
            if (health.startWatching(d.id())) {
                feedback(d.id(), Feedback.Execution.PROCEEDING, List.of(message + "; watching its health for "
                        + health.policy().window().toSeconds() + " s before confirming"));
                return;
            }
            outcome = new ActionJournal.Outcome("closed", "success", message);
            closing = health.figuresAtClose(d.id());
        } catch (Installer.Refused e) {
            waitingForWindow.remove(d.id());
            LOG.warning("action " + d.id() + " refused: " + e.getMessage());
            outcome = new ActionJournal.Outcome("closed", "failure", e.getMessage());
            if (refusedBySelfTest(e)) closing = health.selfTestFailed(d.id());
        } catch (OutOfMemoryError e) {
            // Outside the swap (which refuses on its own), e.g. a self-test document too large for
            // this heap: the same deployment would fail the same way on every retry, so end it.
            LOG.log(Level.SEVERE, "action " + d.id() + " ran out of memory", e);
            outcome = new ActionJournal.Outcome("closed", "failure", "refused: out of memory while installing ("
                    + e.getMessage() + ")");
        }
        journal.record(d.id(), outcome, closing);
        report(d.id(), outcome, closing);
    }

    /** Whether the candidate's self-test refused the swap (the server counts such devices against a gate). */
    private static boolean refusedBySelfTest(Installer.Refused e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof SwapException s) return s.stage() == SwapException.Stage.SELF_TEST;
        }
        return false;
    }

    /**
     * hawkBit's maintenance window: with {@code maintenanceWindow: unavailable} the server says
     * {@code update: skip} until a window opens, which means "download now, install later" (not
     * download-only, which has no window). The action stays open meanwhile.
     */
    static boolean heldByWindow(DeploymentBase.Deployment dep) {
        return DeploymentBase.UNAVAILABLE.equals(dep.maintenanceWindow());
    }

    private String install(DeploymentBase d) throws IOException, Installer.Refused {
        DeploymentBase.Deployment dep = d.deployment();
        // Downloaded while the window was closed: the file is complete, do not report the download twice.
        boolean downloadedBefore = waitingForWindow.contains(d.id());
        StringBuilder summary = new StringBuilder();
        int swaps = plannedSwaps(dep);
        for (DeploymentBase.Chunk chunk : dep.chunks()) {
            String model = model(chunk);
            DeploymentBase.Artifact file = chunk.artifacts().stream()
                    .filter(a -> !a.filename().endsWith(RELEASE_SUFFIX) && !a.filename().endsWith(SELF_TEST_SUFFIX)
                            && !a.filename().endsWith(ROLLBACK_SUFFIX))
                    .findFirst().orElseThrow(() -> new Installer.Refused("chunk " + chunk.name() + " has no model file", null));
            DeploymentBase.Artifact signed = chunk.artifacts().stream()
                    .filter(a -> a.filename().equals(file.filename() + RELEASE_SUFFIX)).findFirst()
                    .orElseThrow(() -> new Installer.Refused("chunk " + chunk.name() + " has no signed metadata ("
                            + file.filename() + RELEASE_SUFFIX + "): nothing unsigned is installed (a Modelyard server"
                            + " adds it for devices whose configData reported " + DeviceAttributes.UPDATER + ")", null));
            VerifiedRelease release = installer.checkRelease(model, ddi.smallFile(link(signed)), rollbackAuthorization(chunk, file));
            String sha = HexFormat.of().formatHex(release.sha256());
            if (file.hashes() != null && file.hashes().sha256() != null && !file.hashes().sha256().equalsIgnoreCase(sha)) {
                throw new Installer.Refused("the deployment's sha256 for " + file.filename() + " differs from the signed one", null);
            }
            if (DeploymentBase.SKIP.equals(dep.download())) continue;
            SelfTest selfTest = selfTest(d.id(), chunk, release);
            if (!downloadedBefore) {
                feedback(d.id(), Feedback.Execution.DOWNLOAD, List.of("downloading " + file.filename() + " (" + release.size() + " bytes)"));
            }
            LOG.info(() -> "downloading " + file.filename() + " for action " + d.id());
            PayloadFetcher.Fetched fetched;
            try {
                fetched = fetcher.fetch(new PayloadFetcher.Request(d.id(), file.filename(), link(file), chunk.deltas(),
                                installer.heldFiles(model), release),
                        via -> new DownloadProgress(model, release.metadata().version(), file.filename(), via, System::nanoTime,
                                Clock.systemUTC(), LOG::info, progress::write),
                        note -> feedbackQuietly(d.id(), Feedback.Execution.DOWNLOAD, note));
            } catch (Downloader.DownloadException e) {
                if (e.permanent()) {
                    Files.deleteIfExists(fetcher.payloadFile(d.id(), file.filename()));
                    throw new Installer.Refused("download failed: " + e.getMessage(), e);
                }
                throw e;
            } finally {
                progress.clear();
            }
            Feedback.Transfer transfer = fetched.transfer();
            LOG.info(() -> file.filename() + " downloaded (" + describe(transfer) + ")");
            if (!downloadedBefore) downloaded(d.id(), transfer);
            if (DeploymentBase.SKIP.equals(dep.update())) {
                // Held by a window, the file waits to be installed: its transfer state must outlive a restart.
                if (!heldByWindow(dep)) fetcher.forget(d.id(), file.filename());
                summary.append(model).append(' ').append(release.metadata().version()).append(" downloaded (not installed); ");
                continue;
            }
            feedback(d.id(), Feedback.Execution.PROCEEDING, List.of("installing " + model + " " + release.metadata().version()));
            health.beforeSwap(d.id(), model, release.metadata().version(), swaps, !selfTest.cases().isEmpty());
            try {
                installer.install(model, release, fetched.file(), fetched.sha256(), selfTest);
            } finally {
                fetcher.forget(d.id(), file.filename());
            }
            summary.append("serving ").append(model).append(' ').append(release.metadata().version()).append("; ");
        }
        return summary.length() == 0 ? "nothing to install" : summary.substring(0, summary.length() - 2);
    }

    /**
     * How many swaps installing the deployment makes: one per model (the health watch records one
     * swap per model). A deployment naming a model in two chunks is refused: one action installs
     * one version of a model, and a second swap of it would replace the first unwatched.
     */
    static int plannedSwaps(DeploymentBase.Deployment dep) throws Installer.Refused {
        java.util.Set<String> models = new java.util.HashSet<>();
        for (DeploymentBase.Chunk chunk : dep.chunks()) {
            if (!models.add(model(chunk))) {
                throw new Installer.Refused("the deployment names model " + model(chunk) + " in more than one chunk", null);
            }
        }
        return models.size();
    }

    /**
     * The rollback authorization the chunk carries for its payload ({@code <file>.rollback.json}),
     * or null. The verifier decides whether it covers the release; one that cannot be read is a
     * refusal, not a reason to try without it.
     */
    private SignedEnvelope rollbackAuthorization(DeploymentBase.Chunk chunk, DeploymentBase.Artifact file)
            throws IOException, Installer.Refused {
        Optional<DeploymentBase.Artifact> offered = chunk.artifacts().stream()
                .filter(a -> a.filename().equals(file.filename() + ROLLBACK_SUFFIX)).findFirst();
        if (offered.isEmpty()) return null;
        try {
            return SignedEnvelope.parse(ddi.smallFile(link(offered.get())));
        } catch (IllegalArgumentException e) {
            throw new Installer.Refused("rollback authorization " + offered.get().filename() + " is malformed: " + e.getMessage(), e);
        }
    }

    private static String model(DeploymentBase.Chunk chunk) {
        return metadata(chunk, "model").orElse(chunk.name());
    }

    /**
     * The self-test vectors the signed metadata names, downloaded (never past the signed size) and
     * checked against the signed digest; none when it names none. Anything else is a refusal: a
     * release must not be installed without the checks its publisher asked for.
     */
    private SelfTest selfTest(String actionId, DeploymentBase.Chunk chunk, VerifiedRelease release) throws IOException, Installer.Refused {
        ArtifactMetadata.SelfTestFile signed = release.metadata().selfTest();
        if (signed == null) return SelfTest.NONE;
        if (signed.size() > MAX_SELF_TEST_BYTES) {
            throw new Installer.Refused("self-test document " + signed.filename() + " has " + signed.size()
                    + " bytes, more than the " + MAX_SELF_TEST_BYTES + " a device reads", null);
        }
        DeploymentBase.Artifact offered = chunk.artifacts().stream().filter(a -> a.filename().equals(signed.filename())).findFirst()
                .orElseThrow(() -> new Installer.Refused("self-test document " + signed.filename()
                        + " is named by the signed metadata but not offered in the deployment", null));
        Files.createDirectories(downloads);
        Path part = downloads.resolve(actionId + "-" + signed.filename() + ".part");
        byte[] bytes;
        try {
            ddi.download(downloader, link(offered), part, signed.size(), null);
            bytes = Files.readAllBytes(part);
        } catch (Downloader.DownloadException e) {
            if (!e.permanent()) throw e;
            throw new Installer.Refused("self-test document " + signed.filename() + " cannot be downloaded: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(part);
        }
        if (!sha256(bytes).equals(signed.sha256())) {
            throw new Installer.Refused("self-test document " + signed.filename() + " does not match its signed sha256", null);
        }
        try {
            return SelfTest.parse(bytes);
        } catch (IllegalArgumentException e) {
            throw new Installer.Refused("self-test document " + signed.filename() + " is malformed: " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.Optional<String> metadata(DeploymentBase.Chunk chunk, String key) {
        if (chunk.metadata() == null) return java.util.Optional.empty();
        return chunk.metadata().stream().filter(kv -> key.equals(kv.key())).map(DeploymentBase.KeyValue::value).findFirst();
    }

    /** Prefer the link the server offers over plain HTTP only when no other is given. */
    private static String link(DeploymentBase.Artifact a) {
        String href = a.href(Links.DOWNLOAD);
        return href != null ? href : a.href(Links.DOWNLOAD_HTTP);
    }

    /**
     * The closing feedback, with the final serving health of the action's versions when there is
     * any, and the transfer reports the server did not acknowledge with the download. A server that
     * refuses the report (400) while it carries transfers gets it once more without them: the
     * transfers are only information, and a report refused for them forever would never close the action.
     */
    private void report(String actionId, ActionJournal.Outcome o, List<ServingHealth> figures) throws IOException {
        Feedback.Execution execution = Feedback.Execution.parse(o.execution());
        Feedback.Finished finished = Feedback.Finished.parse(o.finished());
        List<Feedback.Transfer> transfers = journal.transfers(actionId);
        try {
            ddi.deploymentFeedback(actionId, Feedback.of(execution, finished, List.of(o.message()), figures, transfers));
        } catch (DdiClient.DdiException e) {
            if (e.status() != 400 || transfers.isEmpty()) throw e;
            LOG.warning("the server refused the closing report of action " + actionId + " with its transfer reports (" + e.getMessage()
                    + "); sending it without them");
            ddi.deploymentFeedback(actionId, Feedback.of(execution, finished, List.of(o.message()), figures, null));
        }
    }

    /**
     * Reports a payload downloaded, with how it came. The report is kept until the server
     * acknowledges it; one that fails does not stop the installation (the file is here and
     * verified): the closing report carries it instead.
     */
    private void downloaded(String actionId, Feedback.Transfer transfer) throws IOException {
        journal.unreported(actionId, transfer);
        try {
            ddi.deploymentFeedback(actionId, Feedback.of(Feedback.Execution.DOWNLOADED, Feedback.Finished.NONE,
                    List.of("downloaded " + transfer.file() + ": " + describe(transfer)), null, List.of(transfer)));
        } catch (IOException e) {
            LOG.warning("could not report the download of " + transfer.file() + " (" + e.getMessage()
                    + "); the closing report carries it");
            return;
        }
        journal.reported(actionId, transfer.file());
    }

    /** E.g. {@code delta (onnx-tensors), 7300000 of 105000000 bytes} or {@code full, 105000000 bytes}. */
    static String describe(Feedback.Transfer t) {
        String way = t.method() == null ? t.kind() : t.kind() + " (" + t.method() + ")";
        String bytes = t.bytes() == t.fullSize() ? t.bytes() + " bytes" : t.bytes() + " of " + t.fullSize() + " bytes";
        return way + ", " + bytes + (t.fallback() == null ? "" : "; " + t.fallback());
    }

    /** A progress message the installation does not depend on: one that cannot be sent is logged. */
    private void feedbackQuietly(String actionId, Feedback.Execution execution, String message) {
        try {
            feedback(actionId, execution, List.of(message));
        } catch (IOException e) {
            LOG.fine("could not send '" + message + "' for action " + actionId + ": " + e.getMessage());
        }
    }

    private void feedback(String actionId, Feedback.Execution execution, List<String> details) throws IOException {
        ddi.deploymentFeedback(actionId, Feedback.of(execution, Feedback.Finished.NONE, details));
    }

    private void deletePartials(String actionId) throws IOException {
        if (!Files.isDirectory(downloads)) return;
        try (var files = Files.list(downloads)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(actionId + "-")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static Duration backoff(int failures) {
        long base = Math.min(MAX_BACKOFF.toMillis(), MIN_BACKOFF.toMillis() << Math.min(failures - 1, 16));
        // Full jitter: a fleet that lost the server together does not come back together.
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }
}
