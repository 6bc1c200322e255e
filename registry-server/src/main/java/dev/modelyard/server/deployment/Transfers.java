package dev.modelyard.server.deployment;

import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.storage.Digests;
import dev.modelyard.wire.ddi.Feedback;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * How a device got an action's payload (the feedback extension {@code modelyardTransfers}):
 * checked, kept on the action (the newest report wins), written as a line of its history and
 * shown as {@link DeploymentApi.TransferView}. Pure functions over the report and the action.
 */
final class Transfers {

    private static final Logger LOG = Logger.getLogger(Transfers.class);

    static final Set<String> KINDS = Set.of(Feedback.Transfer.FULL, Feedback.Transfer.COMPRESSED, Feedback.Transfer.DELTA);
    /** An action has one payload; a few entries leave room for a device that reports each attempt. */
    static final int MAX_ENTRIES = 8;
    static final int MAX_FILE = 1024;
    static final int MAX_METHOD = 64;
    static final int MAX_FALLBACK = DeploymentService.MAX_MESSAGE_LENGTH;
    static final int MAX_HISTORY_LINE = DeploymentService.MAX_MESSAGE_LENGTH;

    private Transfers() {
    }

    /**
     * The report of the action's payload among the reports as sent, checked and normalized (see
     * {@link #checked(Feedback.Transfer)}), empty when the device reported none.
     * <p>
     * A report that cannot be believed is {@link ErrorCode#INVALID_FIELD} on feedback that leaves
     * the action open: the device can send it again. On feedback that closes the action it is
     * dropped and logged instead, and the feedback is applied without it: the figures are a
     * statistic, and refusing the close over them would keep the action open although the device
     * is done with it (it would not send that report twice).
     */
    static Optional<Feedback.Transfer> forPayload(long actionId, Artifact payload, List<Feedback.Transfer> reported,
                                                  boolean closing) {
        if (reported == null || reported.isEmpty()) return Optional.empty();
        try {
            return forPayload(payload, checked(reported));
        } catch (IllegalArgumentException e) {
            if (!closing) throw invalid(e.getMessage());
        } catch (DomainException e) {
            if (!closing) throw e;
        }
        return believable(actionId, payload, reported);
    }

    /** The one entry of a closing feedback that holds up on its own; each other entry is logged and dropped. */
    private static Optional<Feedback.Transfer> believable(long actionId, Artifact payload, List<Feedback.Transfer> reported) {
        List<Feedback.Transfer> kept = new ArrayList<>();
        for (Feedback.Transfer t : reported) {
            try {
                kept.add(forPayload(payload, List.of(checked(t))).orElseThrow());
            } catch (IllegalArgumentException | DomainException e) {
                LOG.warnf("Action %d: a transfer report of its closing feedback was dropped: %s", actionId, e.getMessage());
            }
        }
        if (kept.size() > 1) {
            // Two believable figures for one payload: neither can be chosen over the other.
            LOG.warnf("Action %d: the closing feedback reports its payload %d times; no transfer figure is kept",
                    actionId, kept.size());
            return Optional.empty();
        }
        return kept.stream().findFirst();
    }

    /**
     * The reports as sent, checked for what holds whatever the action (a known kind, no negative
     * byte counts, bounded strings, a base that is a SHA-256) and normalized (lower-case kind and
     * base). Throws {@link IllegalArgumentException} naming the member.
     */
    static List<Feedback.Transfer> checked(List<Feedback.Transfer> transfers) {
        if (transfers.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("modelyardTransfers: at most " + MAX_ENTRIES + " entries, not " + transfers.size());
        }
        List<Feedback.Transfer> out = new ArrayList<>(transfers.size());
        for (Feedback.Transfer t : transfers) out.add(checked(t));
        return List.copyOf(out);
    }

    private static Feedback.Transfer checked(Feedback.Transfer t) {
        if (t == null) throw new IllegalArgumentException("modelyardTransfers: an entry is null");
        if (t.file() == null || t.file().isBlank()) throw new IllegalArgumentException("modelyardTransfers.file: is required");
        bounded("file", t.file(), MAX_FILE);
        String kind = t.kind() == null ? null : t.kind().strip().toLowerCase(Locale.ROOT);
        if (kind == null || !KINDS.contains(kind)) {
            throw new IllegalArgumentException("modelyardTransfers.kind: '" + t.kind() + "' is not one of full, compressed, delta");
        }
        if (t.bytes() < 0) throw new IllegalArgumentException("modelyardTransfers.bytes: must not be negative (" + t.bytes() + ")");
        if (t.fullSize() < 0) {
            throw new IllegalArgumentException("modelyardTransfers.fullSize: must not be negative (" + t.fullSize() + ")");
        }
        bounded("method", t.method(), MAX_METHOD);
        bounded("fallback", t.fallback(), MAX_FALLBACK);
        String base = t.base() == null ? null : t.base().strip().toLowerCase(Locale.ROOT);
        if (base != null && !Digests.isSha256Hex(base)) {
            throw new IllegalArgumentException("modelyardTransfers.base: '" + t.base() + "' is not a SHA-256 in hex");
        }
        if (Feedback.Transfer.DELTA.equals(kind) && base == null) {
            throw new IllegalArgumentException("modelyardTransfers.base: a delta names the file it was applied to");
        }
        return new Feedback.Transfer(t.file(), kind, blankToNull(t.method()), base, t.bytes(), t.fullSize(),
                blankToNull(t.fallback()));
    }

    private static void bounded(String member, String value, int max) {
        if (value != null && value.length() > max) {
            throw new IllegalArgumentException("modelyardTransfers." + member + ": at most " + max + " characters, not "
                    + value.length());
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /**
     * The report of the action's payload among {@code transfers} (checked ones): it must name the
     * payload, once, with the payload's size, or the figures could not be believed.
     * {@link ErrorCode#INVALID_FIELD} otherwise; empty when the device reported none.
     */
    private static Optional<Feedback.Transfer> forPayload(Artifact payload, List<Feedback.Transfer> transfers) {
        if (transfers.isEmpty()) return Optional.empty();
        if (payload == null) throw invalid("modelyardTransfers: the action has no payload to report on");
        Feedback.Transfer found = null;
        for (Feedback.Transfer t : transfers) {
            if (!t.file().equals(payload.filename)) {
                throw invalid("modelyardTransfers.file: '" + t.file() + "' is not the action's payload '" + payload.filename + "'");
            }
            if (found != null) throw invalid("modelyardTransfers.file: '" + t.file() + "' is reported twice");
            if (t.fullSize() != payload.size) {
                throw invalid("modelyardTransfers.fullSize: " + t.fullSize() + " is not the size of " + payload.filename
                        + " (" + payload.size + " bytes)");
            }
            found = t;
        }
        return Optional.of(found);
    }

    private static DomainException invalid(String message) {
        return DomainException.of(ErrorCode.INVALID_FIELD, message);
    }

    /** Keeps the report on the action: the newest replaces what an earlier feedback said. Whether that changed anything. */
    static boolean store(Action a, Feedback.Transfer t) {
        String fallback = fallback(t);
        boolean same = t.kind().equals(a.transferKind) && Objects.equals(t.method(), a.transferMethod)
                && Long.valueOf(t.bytes()).equals(a.transferBytes) && Long.valueOf(t.fullSize()).equals(a.transferFullBytes)
                && Objects.equals(fallback, a.transferFallback);
        a.transferKind = t.kind();
        a.transferMethod = t.method();
        a.transferBytes = t.bytes();
        a.transferFullBytes = t.fullSize();
        a.transferFallback = fallback;
        return !same;
    }

    /** Why the device gave up a cheaper way, with the base of a failed delta when it named one. */
    private static String fallback(Feedback.Transfer t) {
        if (t.fallback() == null) return null;
        boolean deltaFailed = t.base() != null && !Feedback.Transfer.DELTA.equals(t.kind());
        return deltaFailed ? "delta from " + shortDigest(t.base()) + " failed: " + t.fallback() : t.fallback();
    }

    /**
     * The per-device figure in the action's history, e.g. {@code transfer: delta (onnx-tensors)
     * 7.3 MB of 105.0 MB downloaded, 93 % saved} or {@code transfer: full 105.0 MB (delta from
     * 1f2e3d4c5b6a… failed: target mismatch)}.
     */
    static String historyLine(Feedback.Transfer t) {
        StringBuilder b = new StringBuilder("transfer: ").append(t.kind());
        if (t.method() != null && !Feedback.Transfer.FULL.equals(t.kind())) b.append(" (").append(t.method()).append(')');
        b.append(' ').append(bytes(t.bytes()));
        if (!Feedback.Transfer.FULL.equals(t.kind()) || t.bytes() != t.fullSize()) {
            b.append(" of ").append(bytes(t.fullSize())).append(" downloaded");
            long pct = savedPct(t.bytes(), t.fullSize());
            if (t.fullSize() > 0) b.append(pct >= 0 ? ", " + pct + " % saved" : ", " + -pct + " % more than the full file");
        }
        String fallback = fallback(t);
        if (fallback != null) b.append(" (").append(fallback).append(')');
        // The fallback alone may be as long as a history message: the line is cut where the history cuts a device's.
        return b.length() > MAX_HISTORY_LINE ? b.substring(0, MAX_HISTORY_LINE) : b.toString();
    }

    /** The figures stored on the action; null when its device reported none. */
    static DeploymentApi.TransferView view(Action a) {
        if (a.transferKind == null) return null;
        long bytes = a.transferBytes == null ? 0 : a.transferBytes;
        long full = a.transferFullBytes == null ? 0 : a.transferFullBytes;
        return new DeploymentApi.TransferView(a.transferKind, a.transferMethod, bytes, full, full - bytes,
                DeploymentApi.TransferView.savedPct(bytes, full), a.transferFallback);
    }

    private static long savedPct(long bytes, long full) {
        return full == 0 ? 0 : Math.round(100.0 * (full - bytes) / full);
    }

    private static String shortDigest(String sha256) {
        return sha256.substring(0, 12) + "…";
    }

    /** Decimal units, one decimal: what a link's operator reads off a bill. */
    static String bytes(long n) {
        if (n < 1000) return n + " B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int i = -1;
        while (v >= 999.95 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
