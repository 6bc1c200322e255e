package dev.modelyard.server.limits;

import java.util.HashMap;
import java.util.Map;

/**
 * Counts uploads in progress: in all, per API token, per client address.
 *
 * <p>Concurrency: one lock guards the three counts, taken once when an upload is admitted and once
 * when it ends; uploads are few and long, so the lock is never contended in a way that matters.
 * An entry exists only while its count is above zero, so the maps hold at most
 * {@link UploadCaps#total()} keys each. A {@link Slot} is released once, however many of its
 * end signals (response end, connection close, stall guard) arrive.
 */
final class UploadSlots {

    private final Map<String, Integer> byToken = new HashMap<>();
    private final Map<String, Integer> byAddress = new HashMap<>();
    private int total;

    /** The answer to an upload asking in: a {@link Slot} or a {@link Refusal}. */
    sealed interface Admission permits Slot, Refusal {
    }

    /** Why an upload was refused, in words for the problem body. */
    record Refusal(String detail) implements Admission {
    }

    /** A held place; {@link #release} gives it back once. */
    final class Slot implements Admission {
        private final String token;
        private final String address;
        private boolean released;

        private Slot(String token, String address) {
            this.token = token;
            this.address = address;
        }

        void release() {
            synchronized (UploadSlots.this) {
                if (released) return;
                released = true;
                total--;
                decrement(byToken, token);
                decrement(byAddress, address);
            }
        }
    }

    /** A slot for an upload with {@code token} from {@code address}, or the refusal. */
    synchronized Admission tryAcquire(String token, String address, UploadCaps caps) {
        if (total >= caps.total()) {
            return new Refusal("the server is receiving " + total + " uploads, its limit; retry later");
        }
        if (byToken.getOrDefault(token, 0) >= caps.perToken()) {
            return new Refusal("this API token has " + caps.perToken() + " uploads in progress, its limit; retry when one ends");
        }
        if (byAddress.getOrDefault(address, 0) >= caps.perAddress()) {
            return new Refusal("this address has " + caps.perAddress() + " uploads in progress, its limit; retry when one ends");
        }
        total++;
        byToken.merge(token, 1, Integer::sum);
        byAddress.merge(address, 1, Integer::sum);
        return new Slot(token, address);
    }

    synchronized int inProgress() {
        return total;
    }

    private static void decrement(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
