package dev.modelyard.device.install;

import dev.modelyard.device.runtime.ModelFile;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.runtime.SelfTest;
import dev.modelyard.device.runtime.SwapException;
import dev.modelyard.device.store.ModelStore;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.Expectations;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerificationException;
import dev.modelyard.wire.trust.VerifiedRelease;
import dev.modelyard.wire.trust.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Turns a downloaded file and its signed release metadata into the model being served, or
 * refuses it with a reason — never anything in between. Order matters: verify everything, then
 * stage, then swap in the runtime, and only then record the new version as current.
 */
public final class Installer {

    private static final Logger LOG = Logger.getLogger(Installer.class.getName());

    private final ModelStore store;
    private final ModelRuntime runtime;
    private final TrustStore trust;
    private final DeviceFacts device;
    private final String tenant;
    private final Clock clock;
    private final Duration skew;
    private final long maxDownloadBytes;

    public Installer(ModelStore store, ModelRuntime runtime, TrustStore trust, DeviceFacts device, String tenant,
                     Clock clock, Duration skew, long maxDownloadBytes) {
        this.store = store;
        this.runtime = runtime;
        this.trust = trust;
        this.device = device;
        this.tenant = tenant;
        this.clock = clock;
        this.skew = skew;
        this.maxDownloadBytes = maxDownloadBytes;
    }

    /** Why an installation was refused; the running model is untouched in every case. */
    public static final class Refused extends Exception {
        public Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Checks the release metadata before a byte is downloaded: signatures, expiry, rollback,
     * model, target and size. Returns what the download must match.
     */
    public VerifiedRelease checkRelease(String model, String releaseJson, SignedEnvelope rollbackAuthorization) throws Refused {
        try {
            Long installed = Optional.ofNullable(store.slots(model).current()).map(ModelStore.Installed::releaseCounter).orElse(null);
            return new Verifier(trust).verifyRelease(SignedEnvelope.parse(releaseJson),
                    new Expectations(tenant, model, device, installed, rollbackAuthorization, clock, skew, maxDownloadBytes));
        } catch (VerificationException e) {
            throw new Refused("release refused: " + e.reason() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new Refused("release metadata is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * Verifies {@code downloaded} against the release, stores it as the candidate, swaps it into
     * the runtime after warm-up and self-test, and records it as current. Consumes the file.
     */
    public ModelStore.Installed install(String model, VerifiedRelease release, Path downloaded, SelfTest selfTest) throws Refused {
        return install(model, release, downloaded, null, selfTest);
    }

    /**
     * As {@link #install(String, VerifiedRelease, Path, SelfTest)}, with the SHA-256 the download
     * computed as it wrote the file ({@code null}: read the file and compute it here).
     */
    public ModelStore.Installed install(String model, VerifiedRelease release, Path downloaded, byte[] sha256,
                                        SelfTest selfTest) throws Refused {
        ArtifactMetadata meta = release.metadata();
        long start = System.nanoTime();
        try {
            if (sha256 == null) {
                Verifier.verifyFile(release, downloaded);
            } else {
                requireSignedSizeAndDigest(release, downloaded, sha256);
            }
        } catch (VerificationException e) {
            deleteQuietly(downloaded);
            throw new Refused("download refused: " + e.reason() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new Refused("cannot read the download: " + e.getMessage(), e);
        }
        long verified = System.nanoTime();
        ModelStore.Installed candidate;
        try {
            candidate = store.stage(model, downloaded, meta.artifact().filename(), release.envelope().toJson(), meta.version(),
                    meta.releaseCounter(), HexFormat.of().formatHex(release.sha256()));
        } catch (IOException e) {
            throw new Refused("cannot store the candidate: " + e.getMessage(), e);
        }
        long staged = System.nanoTime();
        LOG.info(() -> model + " " + meta.version() + ": verified in " + (verified - start) / 1_000_000 + " ms, staged in "
                + (staged - verified) / 1_000_000 + " ms");
        try {
            // Promoted in the store before the new session serves: a version that answered a
            // request is current on disk, so a restart never mistakes it for one never swapped in.
            // The commit is the journal's rename alone: if it succeeds the new version is current
            // and serves; the old versions' clean-up comes after, outside the swap.
            runtime.swap(model, meta.version(), ModelFile.of(store.file(model, candidate), meta.target()), selfTest,
                    () -> store.promote(model));
        } catch (SwapException e) {
            discard(model);
            throw new Refused("candidate refused: " + e.getMessage(), e);
        } catch (IOException e) {
            discard(model);
            throw new Refused("the store could not record the new version, so it is not served: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            // Whatever the candidate did, the old session still serves: refuse, do not die.
            discard(model);
            throw new Refused("candidate refused: " + (e instanceof OutOfMemoryError ? "out of memory" : e.getClass().getSimpleName())
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
        LOG.info(() -> model + " " + meta.version() + " (release " + meta.releaseCounter() + ") is now served");
        removeUnusedVersions(model);
        return candidate;
    }

    /**
     * After a swap, never as part of it: the new version is current and serves whether or not the
     * old files go, so a failure to delete them is logged and never fails the installation.
     */
    private void removeUnusedVersions(String model) {
        try {
            store.removeUnused(model);
        } catch (IOException | RuntimeException e) {
            LOG.warning("could not remove the unused versions of " + model + " (" + e.getMessage() + "); the next installation tries again");
        }
    }

    private static void requireSignedSizeAndDigest(VerifiedRelease release, Path file, byte[] sha256)
            throws VerificationException, IOException {
        long size = Files.size(file);
        if (size != release.size()) {
            throw new VerificationException(VerificationException.Reason.SIZE_MISMATCH, file.getFileName() + " is " + size
                    + " bytes; the signed size is " + release.size());
        }
        if (!java.security.MessageDigest.isEqual(sha256, release.sha256())) {
            throw new VerificationException(VerificationException.Reason.DIGEST_MISMATCH, "content SHA-256 is "
                    + HexFormat.of().formatHex(sha256) + "; the signed one is " + release.metadata().artifact().sha256());
        }
    }

    /**
     * Serves, after a (re)start, what the journal says is current, checking its digest against
     * its signed metadata first; if it is damaged or fails to load, falls back to previous.
     * Returns a line per model saying what happened.
     */
    public List<String> restore() {
        List<String> report = new ArrayList<>();
        for (String model : store.models()) {
            ModelStore.Slots slots = store.slots(model);
            try {
                if (slots.candidate() != null) store.discardCandidate(model);
            } catch (IOException e) {
                report.add(model + ": cannot discard an interrupted candidate: " + e.getMessage());
            }
            if (slots.current() == null) continue;
            Optional<String> problem = serve(model, slots.current());
            if (problem.isEmpty()) {
                report.add(model + ": serving " + slots.current().version());
                continue;
            }
            if (slots.previous() != null && serve(model, slots.previous(), () -> store.rollback(model)).isEmpty()) {
                report.add(model + ": current " + slots.current().version() + " unusable (" + problem.get()
                        + "); serving previous " + slots.previous().version());
            } else {
                report.add(model + ": nothing servable: " + problem.get());
            }
        }
        return report;
    }

    /**
     * Makes previous current again in the store only, before anything is served: for a version
     * that must not even be loaded again (see {@link #restore()}, which then serves previous).
     */
    public void revertStored(String model) throws IOException {
        store.rollback(model);
    }

    /** The version a model's store records as current, if any. */
    public Optional<ModelStore.Installed> current(String model) {
        return Optional.ofNullable(store.slots(model).current());
    }

    /**
     * The files of a model this device holds and verified when it installed them, by SHA-256:
     * current first, then previous. What a delta may start from.
     */
    public java.util.Map<String, Path> heldFiles(String model) {
        java.util.Map<String, Path> held = new java.util.LinkedHashMap<>();
        ModelStore.Slots s = store.slots(model);
        for (ModelStore.Installed i : new ModelStore.Installed[]{s.current(), s.previous()}) {
            if (i != null) held.putIfAbsent(i.sha256(), store.file(model, i));
        }
        return held;
    }

    /** The SHA-256 of the file each model serves now (its current version), by model. */
    public java.util.SortedMap<String, String> servedDigests() {
        java.util.SortedMap<String, String> served = new java.util.TreeMap<>();
        for (String model : store.models()) {
            ModelStore.Installed current = store.slots(model).current();
            if (current != null) served.put(model, current.sha256());
        }
        return served;
    }

    /**
     * Rolls back only while {@code version} is still current, so that an automatic rollback racing
     * a manual one does not undo it. Empty when something else is current by now.
     */
    public synchronized Optional<ModelStore.Installed> rollbackFrom(String model, String version) throws Refused {
        ModelStore.Installed current = store.slots(model).current();
        if (current == null || !current.version().equals(version)) return Optional.empty();
        return Optional.of(rollback(model));
    }

    /** Manual rollback: previous becomes current again, in the store and in the runtime. */
    public synchronized ModelStore.Installed rollback(String model) throws Refused {
        ModelStore.Installed previous = store.slots(model).previous();
        if (previous == null) throw new Refused(model + " has no previous version to roll back to", null);
        // Recorded in the store before previous serves again, as in install.
        Optional<String> problem = serve(model, previous, () -> store.rollback(model));
        if (problem.isPresent()) throw new Refused("previous version unusable: " + problem.get(), null);
        return previous;
    }

    private Optional<String> serve(String model, ModelStore.Installed v) {
        return serve(model, v, () -> { });
    }

    /** Loads and serves an installed version, running {@code commit} just before it serves; empty when it does. */
    private Optional<String> serve(String model, ModelStore.Installed v, ModelRuntime.Commit commit) {
        try {
            // The signatures were checked at installation; a model stays servable after its metadata
            // expires or its key is rotated. What can go wrong on disk is the bytes: check them.
            SignedEnvelope env = SignedEnvelope.parse(Files.readString(store.release(model, v)));
            ArtifactMetadata meta = ArtifactMetadata.fromMap(env.signed());
            Path file = store.file(model, v);
            if (!meta.artifact().sha256().equals(v.sha256()) || Files.size(file) != meta.artifact().size()
                    || !sha256(file).equals(v.sha256())) {
                return Optional.of("the stored file does not match its signed metadata");
            }
            runtime.swap(model, v.version(), ModelFile.of(file, meta.target()), SelfTest.NONE, commit);
            return Optional.empty();
        } catch (IOException | SwapException | RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        } catch (OutOfMemoryError e) {
            return Optional.of("out of memory: " + e.getMessage());
        }
    }

    private static String sha256(Path file) throws IOException {
        java.security.MessageDigest md;
        try {
            md = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (var in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private void discard(String model) {
        try {
            store.discardCandidate(model);
        } catch (IOException e) {
            LOG.warning("could not discard the candidate of " + model + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary download; the next attempt replaces it
        }
    }
}
