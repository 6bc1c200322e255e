package dev.modelyard.device.delta;

import dev.modelyard.delta.DeltaApplier;
import dev.modelyard.delta.DeltaFormat;
import dev.modelyard.delta.DeltaFormatException;
import dev.modelyard.delta.DeltaHeader;
import dev.modelyard.device.download.Downloader;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.ddi.Links;
import dev.modelyard.wire.trust.VerifiedRelease;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Gets a chunk's payload the cheapest way that ends in a file verified against the signed release:
 * <ol>
 *   <li>a delta that rebuilds it from a file this device holds for the model (the current or
 *       previous version of the store, both verified when they were installed): the smallest offered;</li>
 *   <li>else the compressed full file (a delta without a base);</li>
 *   <li>else, and after any failure of the two, the payload itself, as a device without deltas does.</li>
 * </ol>
 * A delta is downloaded like any file (resumable, never past the size the deployment gives, its
 * SHA-256 compared with the deployment's: that checks the transfer only), applied into a separate
 * rebuild file, and the result's size and SHA-256 are compared with the <em>signed</em> ones
 * before it is renamed to the payload's partial file, the one the installer consumes. The delta
 * itself is not signed, so nothing it produces counts before that comparison.
 *
 * <p>A way that fails for a reason that retrying would not cure (the server no longer has the
 * delta, a digest mismatch, a malformed delta or one that cannot be read, a result other than the
 * signed one, the base gone or changed) is given up: its files are deleted, the reason is told to
 * {@link Notes} and kept for the report, and the next way is tried. A network failure is not such
 * a reason, nor is a failure writing the rebuild file (a full disk): it propagates, the action is
 * retried on the next poll and the partial file resumes. A delta whose download fails
 * {@value #MAX_STALLS} attempts in a row without a byte more (a server answering 5xx for it) is
 * given up too, so that a device does not wait for it forever.
 *
 * <p>After a kill at any point the next attempt ends the same way: the state file next to the
 * download ({@link TransferState}) skips the ways already given up; a stale rebuild file is
 * deleted; a complete delta is applied again without a byte downloaded; a payload file already
 * renamed into place is used as the complete download (the installer verifies it once more).
 * A payload partial file that is not complete can only come from the full download (a rebuilt
 * file arrives complete, by one rename), so that download resumes.
 */
public final class PayloadFetcher {

    private static final Logger LOG = Logger.getLogger(PayloadFetcher.class.getName());
    static final String REBUILD_SUFFIX = ".rebuild";
    static final String STATE_SUFFIX = ".transfer.json";
    /**
     * Attempts in a row (across polls and restarts) whose download of a delta failed transiently
     * without a byte more, after which the delta is given up like one the server no longer has.
     */
    static final int MAX_STALLS = 3;
    /** The longest method name reported (the server bounds the field). */
    static final int MAX_METHOD = 64;

    /** Downloads a file of the deployment with the device's credentials (see {@link Downloader#download}). */
    public interface Source {
        byte[] download(String href, Path part, long size, Downloader.Progress progress) throws IOException;
    }

    /**
     * Where a download's progress goes. {@code via}: what is downloaded instead of the payload,
     * for people ({@code delta from 1f2e3d4c5b6a}, {@code compressed download}); null for the payload itself.
     */
    public interface ProgressFactory {
        Downloader.Progress of(String via);
    }

    /** Told, for the server and people, when a way is given up; best effort. */
    public interface Notes {
        void note(String message);
    }

    /**
     * What to fetch.
     *
     * @param actionId the action it is for (prefix of every file in the downloads directory)
     * @param file     the payload's filename
     * @param href     the payload's download link
     * @param offers   the chunk's delta offers
     * @param held     files of the model this device holds and verified: SHA-256 (lower-case hex) → file
     * @param release  the signed release the result must match
     */
    public record Request(String actionId, String file, String href, List<DeploymentBase.Delta> offers, Map<String, Path> held,
                          VerifiedRelease release) {
    }

    /** A payload file of the signed size whose SHA-256 was computed as it was written, and how it came. */
    public record Fetched(Path file, byte[] sha256, Feedback.Transfer transfer) {
    }

    /** Opens the rebuild file for writing (replacing it). */
    interface RebuildOutput {
        FileChannel open(Path rebuild) throws IOException;
    }

    private static final int BUFFER = 1 << 16;

    private final Source source;
    private final Path downloads;
    private final boolean deltas;
    private final RebuildOutput output;

    /** {@code deltas}: whether to use the offers at all (setting {@code delta.enabled}). */
    public PayloadFetcher(Source source, Path downloads, boolean deltas) {
        this(source, downloads, deltas, rebuild -> FileChannel.open(rebuild, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** {@code output}: where a rebuild is written; tests give a device whose writes fail as a full disk does. */
    PayloadFetcher(Source source, Path downloads, boolean deltas, RebuildOutput output) {
        this.source = source;
        this.downloads = downloads;
        this.deltas = deltas;
        this.output = output;
    }

    /** The partial file the payload is downloaded or renamed into, the one the installer consumes. */
    public Path payloadFile(String actionId, String file) {
        return downloads.resolve(actionId + "-" + file + ".part");
    }

    /**
     * Ends with the payload file complete and its SHA-256 (the caller compares it with the signed
     * one, as for any download). A full download refused for good throws a permanent
     * {@link Downloader.DownloadException}; a transient failure of any way throws and can be
     * retried with the same request.
     */
    public Fetched fetch(Request r, ProgressFactory progress, Notes notes) throws IOException {
        Files.createDirectories(downloads);
        // A rebuild file is never resumed: whatever a dead process left of it is worth nothing.
        Files.deleteIfExists(rebuildFile(r));
        Attempt a = new Attempt(r, TransferState.read(stateFile(r.actionId(), r.file())));
        Path payload = payloadFile(r.actionId(), r.file());
        if (Files.exists(payload) && Files.size(payload) == r.release().size()) {
            // Complete: renamed into place after a verified rebuild, or a full download that ended before a restart.
            return a.fetched(source.download(r.href(), payload, r.release().size(), null));
        }
        if (deltas && !Files.exists(payload)) {
            List<DeploymentBase.Delta> ways = ways(r, a.state);
            for (int i = 0; i < ways.size(); i++) {
                Optional<Fetched> done = a.via(ways.get(i), i + 1 < ways.size() ? "the compressed file" : "the full file",
                        progress, notes);
                if (done.isPresent()) return done.get();
            }
        }
        return a.full(progress);
    }

    /** One fetch of a payload: the request and what its download has been through so far, kept on disk as it changes. */
    private final class Attempt {
        private final Request r;
        private TransferState state;

        Attempt(Request r, TransferState state) {
            this.r = r;
            this.state = state;
        }

        /**
         * Tries one offer; empty when it was given up (its files deleted, the reason told and kept)
         * and {@code next} is to be tried.
         */
        Optional<Fetched> via(DeploymentBase.Delta offer, String next, ProgressFactory progress, Notes notes) throws IOException {
            Path rebuild = rebuildFile(r);
            Path part = deltaPart(r.actionId(), offer);
            try {
                keep(state.choosing(wayOf(offer)));
                byte[] sha = viaDelta(r, offer, rebuild, progress.of(describe(offer)), this);
                // Only a result equal to the signed file gets the name the installer consumes.
                Files.move(rebuild, payloadFile(r.actionId(), r.file()), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                fsyncDirectory();
                Files.deleteIfExists(part);
                LOG.info(r.file() + " rebuilt from " + describe(offer) + " (" + offer.size() + " bytes downloaded instead of "
                        + r.release().size() + ")");
                return Optional.of(fetched(sha));
            } catch (GiveUp e) {
                Files.deleteIfExists(rebuild);
                Files.deleteIfExists(part);
                String reason = describe(offer) + " failed (" + e.getMessage() + ")";
                keep(state.givenUp(offer.filename(), e.cost, reason));
                LOG.warning(r.file() + ": " + reason + "; downloading " + next);
                notes.note(reason + "; downloading " + next);
                return Optional.empty();
            }
        }

        /** The payload itself, as a device without deltas downloads it. */
        Fetched full(ProgressFactory progress) throws IOException {
            keep(state.choosing(new TransferState.Way(Feedback.Transfer.FULL, null, null, r.release().size())));
            try {
                return fetched(source.download(r.href(), payloadFile(r.actionId(), r.file()), r.release().size(), progress.of(null)));
            } catch (Downloader.DownloadException e) {
                if (e.permanent()) forget(r.actionId(), r.file());
                throw e;
            }
        }

        Fetched fetched(byte[] sha256) {
            return new Fetched(payloadFile(r.actionId(), r.file()), sha256, state.transfer(r.file(), r.release().size()));
        }

        /**
         * Counts an attempt at {@code offer} whose download failed transiently, and says whether the
         * offer is to be given up: after {@link #MAX_STALLS} such attempts in a row that brought no
         * byte (a server answering 5xx for it every time). One that got bytes is making its way
         * (a slow link cut now and then) and starts the count over.
         */
        boolean stalledTooOften(DeploymentBase.Delta offer, boolean progressed) throws IOException {
            if (progressed) {
                keep(state.progressedOn(offer.filename()));
                return false;
            }
            keep(state.stalledOn(offer.filename()));
            return state.stalls(offer.filename()) >= MAX_STALLS;
        }

        private void keep(TransferState next) throws IOException {
            state = next;
            state.write(stateFile(r.actionId(), r.file()));
        }
    }

    /**
     * Deletes what the fetch of a payload kept beside it (its state, a delta, a rebuild file):
     * called once the payload is installed or the action given up. The payload file itself is the
     * installer's.
     */
    public void forget(String actionId, String file) throws IOException {
        Files.deleteIfExists(stateFile(actionId, file));
        Files.deleteIfExists(downloads.resolve(actionId + "-" + file + REBUILD_SUFFIX));
        if (!Files.isDirectory(downloads)) return;
        try (var files = Files.list(downloads)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(actionId + "-")
                    && p.getFileName().toString().endsWith(DeltaFormat.FILE_SUFFIX + ".part")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The ways still open, best first: the smallest delta from a held file, then the smallest compressed file. */
    List<DeploymentBase.Delta> ways(Request r, TransferState state) {
        long full = r.release().size();
        List<DeploymentBase.Delta> usable = r.offers().stream()
                .filter(o -> usable(o, r.file(), full) && !state.failed().contains(o.filename()))
                .sorted(Comparator.comparingLong(DeploymentBase.Delta::size)).toList();
        List<DeploymentBase.Delta> ways = new ArrayList<>();
        usable.stream().filter(o -> o.base() != null && r.held().containsKey(o.base().toLowerCase(Locale.ROOT)))
                .findFirst().ifPresent(ways::add);
        usable.stream().filter(o -> o.base() == null).findFirst().ifPresent(ways::add);
        return ways;
    }

    /**
     * An offer this device can take: for this payload, in a format it applies, smaller than the
     * payload (else it saves nothing), with a link and a name that stays inside the downloads directory.
     */
    private static boolean usable(DeploymentBase.Delta o, String file, long fullSize) {
        return file.equals(o.target()) && o.format() == DeltaFormat.VERSION && o.size() > 0 && o.size() < fullSize
                && link(o) != null && plainFileName(o.filename());
    }

    /** A name that stays a file of the downloads directory: no separator, no dot first, nothing unprintable. */
    private static boolean plainFileName(String name) {
        return name != null && !name.isEmpty() && name.length() <= 255 && !name.startsWith(".")
                && name.chars().noneMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7f);
    }

    /** A way that cannot succeed however often it is tried; {@code cost}: the bytes it downloaded. */
    private static final class GiveUp extends Exception {
        final long cost;

        GiveUp(String reason, long cost) {
            super(reason, null, false, false);
            this.cost = cost;
        }
    }

    /** Downloads and applies one offer into {@code rebuild}; returns the result's SHA-256, equal to the signed one. */
    private byte[] viaDelta(Request r, DeploymentBase.Delta offer, Path rebuild, Downloader.Progress progress, Attempt attempt)
            throws IOException, GiveUp {
        Path part = deltaPart(r.actionId(), offer);
        long before = sizeOf(part);
        byte[] sha;
        try {
            sha = source.download(link(offer), part, offer.size(), progress);
        } catch (Downloader.DownloadException e) {
            if (e.permanent()) throw new GiveUp(e.getMessage(), sizeOf(part));
            if (attempt.stalledTooOften(offer, sizeOf(part) > before)) {
                throw new GiveUp(e.getMessage() + ", " + MAX_STALLS + " attempts in a row", sizeOf(part));
            }
            throw e;
        }
        long cost = offer.size();
        String offered = offer.hashes() == null ? null : offer.hashes().sha256();
        if (offered != null && !offered.equalsIgnoreCase(HexFormat.of().formatHex(sha))) {
            throw new GiveUp("its SHA-256 is not the one the deployment gives", cost);
        }
        String signedSha = HexFormat.of().formatHex(r.release().sha256());
        Path base = null;
        try {
            DeltaHeader header = DeltaApplier.header(part);
            // Checked before any work: a delta for another file or base would be applied only to be refused.
            if (!signedSha.equals(header.targetSha256()) || header.targetSize() != r.release().size()) {
                throw new GiveUp("it rebuilds another file than the signed one", cost);
            }
            if (offer.base() != null) {
                String baseSha = offer.base().toLowerCase(Locale.ROOT);
                if (!baseSha.equals(header.baseSha256())) throw new GiveUp("wrong base: it starts from another file than offered", cost);
                base = r.held().get(baseSha);
                if (base == null || !Files.isRegularFile(base)) throw new GiveUp("base file missing", cost);
                if (Files.size(base) != header.baseSize()) throw new GiveUp("base file changed", cost);
            } else if (header.hasBase()) {
                throw new GiveUp("wrong base: it needs a base, none was offered", cost);
            }
            DeltaApplier.Applied applied = apply(part, base, base == null ? null : offer.base().toLowerCase(Locale.ROOT), rebuild);
            // The header came with the delta; only the signed metadata is trusted.
            if (applied.size() != r.release().size() || !MessageDigest.isEqual(applied.sha256(), r.release().sha256())) {
                throw new GiveUp("the result differs from the signed release", cost);
            }
            return applied.sha256();
        } catch (DeltaFormatException e) {
            throw new GiveUp(words(e.reason()) + ": " + e.getMessage(), cost);
        } catch (DeltaReadFailure e) {
            IOException cause = e.getCause();
            throw new GiveUp("reading it failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cost);
        } catch (RuntimeException e) {
            // Reading a delta that is cut or garbled may fail below the format's own checks (the
            // compressor's stream throws unchecked): the delta is as useless as a malformed one.
            throw new GiveUp(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), cost);
        }
        // Any other IOException (writing the rebuild file: a full disk, an I/O error; reading the
        // base) says nothing against the delta: it propagates, and the next poll applies it again.
    }

    /**
     * Applies the delta file into {@code rebuild} (forced to disk; deleted on any failure), with a
     * failure reading the delta file thrown as {@link DeltaReadFailure} so that it can be told
     * apart from one writing the rebuild file.
     */
    private DeltaApplier.Applied apply(Path delta, Path base, String baseSha, Path rebuild) throws IOException {
        boolean done = false;
        try (InputStream in = new DeltaInput(new BufferedInputStream(open(delta), BUFFER));
                FileChannel baseChannel = base == null ? null : FileChannel.open(base, StandardOpenOption.READ);
                FileChannel out = output.open(rebuild)) {
            OutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(out), BUFFER);
            DeltaApplier.Applied applied = DeltaApplier.apply(in, baseChannel, baseSha, buffered);
            buffered.flush();
            out.force(true);
            done = true;
            return applied;
        } finally {
            if (!done) Files.deleteIfExists(rebuild);
        }
    }

    private static InputStream open(Path delta) throws DeltaReadFailure {
        try {
            return Files.newInputStream(delta);
        } catch (IOException e) {
            throw new DeltaReadFailure(e);
        }
    }

    /** A failure reading the delta file itself: the delta cannot be applied, however often it is tried. */
    private static final class DeltaReadFailure extends IOException {
        DeltaReadFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** The delta file's stream, whose failures are {@link DeltaReadFailure}s. */
    private static final class DeltaInput extends FilterInputStream {
        DeltaInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (DeltaReadFailure e) {
                throw e;
            } catch (IOException e) {
                throw new DeltaReadFailure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (DeltaReadFailure e) {
                throw e;
            } catch (IOException e) {
                throw new DeltaReadFailure(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                throw new DeltaReadFailure(e);
            }
        }
    }

    private static String words(DeltaFormatException.Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static TransferState.Way wayOf(DeploymentBase.Delta o) {
        // The method is informational and comes from the server: bounded, so the report it goes into is never refused for it.
        String method = o.method() == null || o.method().length() <= MAX_METHOD ? o.method() : o.method().substring(0, MAX_METHOD);
        return o.base() == null ? new TransferState.Way(Feedback.Transfer.COMPRESSED, method, null, o.size())
                : new TransferState.Way(Feedback.Transfer.DELTA, method, o.base().toLowerCase(Locale.ROOT), o.size());
    }

    /** E.g. {@code delta from 1f2e3d4c5b6a} or {@code compressed download}. */
    static String describe(DeploymentBase.Delta o) {
        return o.base() == null ? "compressed download" : "delta from " + o.base().substring(0, Math.min(12, o.base().length()));
    }

    private Path deltaPart(String actionId, DeploymentBase.Delta o) {
        return downloads.resolve(actionId + "-" + o.filename() + ".part");
    }

    private Path rebuildFile(Request r) {
        return downloads.resolve(r.actionId() + "-" + r.file() + REBUILD_SUFFIX);
    }

    private Path stateFile(String actionId, String file) {
        return downloads.resolve(actionId + "-" + file + STATE_SUFFIX);
    }

    private static long sizeOf(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    private static String link(DeploymentBase.Delta o) {
        return Optional.ofNullable(o.href(Links.DOWNLOAD)).orElse(o.href(Links.DOWNLOAD_HTTP));
    }

    /** The rename is the commit of a rebuild: make it survive a power cut. */
    private void fsyncDirectory() {
        try (FileChannel dir = FileChannel.open(downloads, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; losing the rename only repeats the rebuild.
            LOG.fine("could not sync " + downloads + ": " + e.getMessage());
        }
    }
}
