package dev.modelyard.server.device;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongBinaryOperator;

/**
 * A concurrent hash table from {@code long} keys to a value and a {@code long}, held in primitive
 * arrays: what the poll path keeps per device (a million of them) costs no node, no boxed key and
 * no pointer write on a read. A {@code ConcurrentHashMap} or a Caffeine cache holds each entry
 * in objects of its own (about 100 bytes with the boxed key) and a bounded cache reorders them on
 * reads; with a million devices those objects are most of the heap the collector copies and
 * scans, and its pauses were the poll's p99.
 *
 * <p>Bounded tables drop entries that were not read since the clock hand last passed them (the
 * CLOCK approximation of least recently used), from the segment that receives a new entry, when
 * that entry would exceed the bound; a dropped entry is handed to the eviction listener within the
 * eviction. The bound is the whole table's, not a share per segment: with as many
 * entries as the bound allows, a segment a little fuller than the average evicts nothing.
 *
 * <p>Concurrency: the table is split into segments by the key's hash, each with its own {@link
 * StampedLock}. Writes take the segment's write lock. Reads take no lock: they read the
 * segment's slots optimistically and validate the stamp, and read again under the read lock
 * when a write intervened. A read marks its entry as used with a plain byte write that may be
 * lost or land on a moved entry: that only makes eviction less exact, never a lookup wrong.
 * Keys: linear probing with backward-shift deletion, so there are no tombstones.
 *
 * @param <V> the value (null for tables that hold only the {@code long})
 */
public final class LongTable<V> {

    /**
     * Told about each entry dropped to keep the bound (not about removals), under the segment's
     * write lock, so that what it does is atomic with the eviction as seen by this table's
     * writers. It must not use this table.
     */
    public interface EvictionListener<V> {
        void evicted(long key, V value, long number);
    }

    private static final int MAX_SEGMENTS = 64;
    private static final int INITIAL_CAPACITY = 16;

    private final Segment[] segments;
    private final int segmentShift;
    private final long maxEntries;
    /** Entries in all segments: changed under a segment's write lock, read to enforce the bound. */
    private final AtomicLong count = new AtomicLong();
    private final boolean values;
    private final boolean numbers;
    private final EvictionListener<V> listener;

    private LongTable(long maxEntries, boolean values, boolean numbers, EvictionListener<V> listener) {
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries must be at least 1: " + maxEntries);
        int segmentCount = Integer.highestOneBit((int) Math.min(MAX_SEGMENTS, Math.max(1, maxEntries / 1024)));
        this.segments = new Segment[segmentCount];
        this.values = values;
        this.numbers = numbers;
        for (int i = 0; i < segmentCount; i++) segments[i] = new Segment(this);
        this.segmentShift = 64 - Integer.numberOfTrailingZeros(segmentCount);
        this.maxEntries = maxEntries;
        this.listener = listener;
    }

    /** A table of values and numbers holding at most {@code maxEntries}; {@code listener} may be null. */
    public static <V> LongTable<V> bounded(int maxEntries, EvictionListener<V> listener) {
        return new LongTable<>(maxEntries, true, true, listener);
    }

    /** A table of values (no numbers) holding at most {@code maxEntries}. */
    public static <V> LongTable<V> boundedValues(int maxEntries) {
        return new LongTable<>(maxEntries, true, false, null);
    }

    /** A table of numbers (no values) holding at most {@code maxEntries}. */
    public static LongTable<Void> boundedNumbers(int maxEntries) {
        return new LongTable<>(maxEntries, false, true, null);
    }

    /** A table of values without a bound (its entries are bounded by another table's). */
    public static <V> LongTable<V> unboundedValues() {
        return new LongTable<>(Long.MAX_VALUE, true, false, null);
    }

    /** A table of numbers without a bound. */
    public static LongTable<Void> unboundedNumbers() {
        return new LongTable<>(Long.MAX_VALUE, false, true, null);
    }

    /** The value held for {@code key}; null when there is none. */
    public V get(long key) {
        return read(key, false, 0);
    }

    /**
     * The value held for {@code key} if its number is greater than {@code above} (an expiry time,
     * say); null otherwise. One lookup where {@link #get} and {@link #getLong} would take two.
     */
    public V getIfNumberAbove(long key, long above) {
        return read(key, true, above);
    }

    @SuppressWarnings("unchecked")
    private V read(long key, boolean checkNumber, long above) {
        long h = mix(key);
        Segment s = segment(h);
        long stamp = s.lock.tryOptimisticRead();
        if (stamp != 0) {
            Object v = s.slots.value(key, h, checkNumber, above);
            if (s.lock.validate(stamp)) return (V) v;
        }
        stamp = s.lock.readLock();
        try {
            return (V) s.slots.value(key, h, checkNumber, above);
        } finally {
            s.lock.unlockRead(stamp);
        }
    }

    /** The number held for {@code key}; {@code absent} when there is none. */
    public long getLong(long key, long absent) {
        long h = mix(key);
        Segment s = segment(h);
        long stamp = s.lock.tryOptimisticRead();
        if (stamp != 0) {
            long v = s.slots.number(key, h, absent);
            if (s.lock.validate(stamp)) return v;
        }
        stamp = s.lock.readLock();
        try {
            return s.slots.number(key, h, absent);
        } finally {
            s.lock.unlockRead(stamp);
        }
    }

    /** Holds {@code value} and {@code number} for {@code key}; returns the value held before (null: none). */
    @SuppressWarnings("unchecked")
    public V put(long key, V value, long number) {
        long h = mix(key);
        Segment s = segment(h);
        long stamp = s.lock.writeLock();
        try {
            int i = s.slots.find(key, h);
            if (i >= 0) {
                Object previous = s.slots.valueAt(i);
                s.slots.set(i, value, number);
                return (V) previous;
            }
            makeRoom(s);
            s.insert(key, h, value, number);
            return null;
        } finally {
            s.lock.unlockWrite(stamp);
        }
    }

    /** Holds {@code value} for {@code key} with the number 0. */
    public V put(long key, V value) {
        return put(key, value, 0);
    }

    /**
     * Holds for {@code key} the number {@code f(held, number)}, or {@code number} when none is
     * held; returns what it holds now. The value is left as it is (null for a new entry).
     */
    public long accumulate(long key, long number, LongBinaryOperator f) {
        long h = mix(key);
        Segment s = segment(h);
        long stamp = s.lock.writeLock();
        try {
            int i = s.slots.find(key, h);
            if (i >= 0) {
                long now = f.applyAsLong(s.slots.numberAt(i), number);
                s.slots.set(i, s.slots.valueAt(i), now);
                return now;
            }
            makeRoom(s);
            s.insert(key, h, null, number);
            return number;
        } finally {
            s.lock.unlockWrite(stamp);
        }
    }

    /**
     * Compare-and-set: holds {@code number} for {@code key} if the number held is {@code expected},
     * or if there is no entry and {@code expected} is {@code absent} (the value is left as it is,
     * null for a new entry). Returns whether it did.
     */
    public boolean replaceLong(long key, long expected, long number, long absent) {
        long h = mix(key);
        Segment s = segment(h);
        long stamp = s.lock.writeLock();
        try {
            int i = s.slots.find(key, h);
            if (i >= 0) {
                if (s.slots.numberAt(i) != expected) return false;
                s.slots.set(i, s.slots.valueAt(i), number);
                return true;
            }
            if (expected != absent) return false;
            makeRoom(s);
            s.insert(key, h, null, number);
            return true;
        } finally {
            s.lock.unlockWrite(stamp);
        }
    }

    /** Removes {@code key}'s entry; returns its value (null: none, or a table of numbers only). */
    @SuppressWarnings("unchecked")
    public V remove(long key) {
        long h = mix(key);
        Segment s = segment(h);
        long stamp = s.lock.writeLock();
        try {
            int i = s.slots.find(key, h);
            if (i < 0) return null;
            Object v = s.slots.valueAt(i);
            s.removeAt(i);
            return (V) v;
        } finally {
            s.lock.unlockWrite(stamp);
        }
    }

    /** Removes {@code key}'s entry only if its value equals {@code expected}; true if it did. */
    public boolean remove(long key, V expected) {
        long h = mix(key);
        Segment s = segment(h);
        long stamp = s.lock.writeLock();
        try {
            int i = s.slots.find(key, h);
            if (i < 0 || !Objects.equals(s.slots.valueAt(i), expected)) return false;
            s.removeAt(i);
            return true;
        } finally {
            s.lock.unlockWrite(stamp);
        }
    }

    /** Removes {@code key}'s entry and returns its number; {@code absent} when there was none. */
    public long removeLong(long key, long absent) {
        long h = mix(key);
        Segment s = segment(h);
        long stamp = s.lock.writeLock();
        try {
            int i = s.slots.find(key, h);
            if (i < 0) return absent;
            long n = s.slots.numberAt(i);
            s.removeAt(i);
            return n;
        } finally {
            s.lock.unlockWrite(stamp);
        }
    }

    /** The keys held now, segment by segment (entries added or removed meanwhile may or may not be in it). */
    public long[] keys() {
        long[] out = new long[0];
        int n = 0;
        for (Segment s : segments) {
            long stamp = s.lock.readLock();
            try {
                Slots slots = s.slots;
                if (out.length - n < s.size) out = Arrays.copyOf(out, n + s.size + out.length / 2);
                for (int i = 0; i < slots.full.length; i++) {
                    if (slots.full[i] != 0) out[n++] = slots.keys[i];
                }
            } finally {
                s.lock.unlockRead(stamp);
            }
        }
        return Arrays.copyOf(out, n);
    }

    public void clear() {
        for (Segment s : segments) {
            long stamp = s.lock.writeLock();
            try {
                s.slots = s.newSlots(INITIAL_CAPACITY);
                count.addAndGet(-s.size);
                s.size = 0;
                s.hand = 0;
            } finally {
                s.lock.unlockWrite(stamp);
            }
        }
    }

    /** Entries held now. */
    public long size() {
        return count.get();
    }

    /**
     * Under {@code s}'s write lock: frees a place for one more entry, evicting from this segment
     * while the table is at its bound (a segment with nothing to evict lets the table pass its
     * bound by the entry, until other segments' insertions evict), and grows the segment's slots.
     */
    @SuppressWarnings("unchecked")
    private void makeRoom(Segment s) {
        while (count.get() >= maxEntries && s.size > 0) {
            int i = s.victim();
            Slots slots = s.slots;
            if (listener != null) listener.evicted(slots.keys[i], (V) slots.valueAt(i), slots.numberAt(i));
            s.removeAt(i);
        }
        s.growIfFull();
    }

    private Segment segment(long h) {
        return segments.length == 1 ? segments[0] : segments[(int) (h >>> segmentShift)];
    }

    /** Spreads sequential ids over the table (the finalizer of MurmurHash3's 64-bit variant). */
    static long mix(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** One segment's slots: replaced as a whole when it grows, so a reader sees arrays of one length. */
    private static final class Slots {
        final long[] keys;
        final Object[] values;
        final long[] numbers;
        /** 1: the slot holds an entry. */
        final byte[] full;
        /** 1: read since the clock hand last passed. */
        final byte[] used;

        Slots(int capacity, boolean withValues, boolean withNumbers) {
            keys = new long[capacity];
            values = withValues ? new Object[capacity] : null;
            numbers = withNumbers ? new long[capacity] : null;
            full = new byte[capacity];
            used = new byte[capacity];
        }

        int mask() {
            return keys.length - 1;
        }

        /** The slot of {@code key}, -1 if absent. Bounded, so a read racing a write cannot loop forever. */
        int find(long key, long h) {
            int mask = mask();
            int i = (int) h & mask;
            for (int n = 0; n <= mask; n++) {
                if (full[i] == 0) return -1;
                if (keys[i] == key) return i;
                i = (i + 1) & mask;
            }
            return -1;
        }

        /** The value of {@code key}; with {@code checkNumber}, only if its number is above {@code above}. */
        Object value(long key, long h, boolean checkNumber, long above) {
            int i = find(key, h);
            if (i < 0 || (checkNumber && numberAt(i) <= above)) return null;
            used[i] = 1;
            return values == null ? null : values[i];
        }

        long number(long key, long h, long absent) {
            int i = find(key, h);
            if (i < 0) return absent;
            used[i] = 1;
            return numbers == null ? 0 : numbers[i];
        }

        void set(int i, Object value, long number) {
            if (values != null) values[i] = value;
            if (numbers != null) numbers[i] = number;
            used[i] = 1;
        }

        Object valueAt(int i) {
            return values == null ? null : values[i];
        }

        long numberAt(int i) {
            return numbers == null ? 0 : numbers[i];
        }

        /** Moves slot {@code from}'s entry to slot {@code to}. */
        void move(int from, int to) {
            keys[to] = keys[from];
            if (values != null) values[to] = values[from];
            if (numbers != null) numbers[to] = numbers[from];
            used[to] = used[from];
            full[to] = 1;
        }

        void clear(int i) {
            full[i] = 0;
            keys[i] = 0;
            if (values != null) values[i] = null;
            if (numbers != null) numbers[i] = 0;
            used[i] = 0;
        }
    }

    private static final class Segment {
        final StampedLock lock = new StampedLock();
        final boolean withValues;
        final boolean withNumbers;
        final AtomicLong count;
        volatile Slots slots;
        int size;
        int hand;

        Segment(LongTable<?> table) {
            this.withValues = table.values;
            this.withNumbers = table.numbers;
            this.count = table.count;
            this.slots = newSlots(INITIAL_CAPACITY);
        }

        Slots newSlots(int capacity) {
            return new Slots(capacity, withValues, withNumbers);
        }

        /** Grows at three quarters full, so probes stay short and an empty slot always exists. */
        void growIfFull() {
            if ((size + 1) * 4L > slots.keys.length * 3L) grow();
        }

        /**
         * The slot the clock hand stops at: the next entry not read since the hand last passed it
         * (passing clears the mark). The hand stays there: the entry a removal shifts into that
         * slot has not been looked at yet.
         */
        int victim() {
            Slots s = slots;
            int mask = s.mask();
            while (true) {
                int i = hand & mask;
                if (s.full[i] != 0 && s.used[i] == 0) {
                    hand = i;
                    return i;
                }
                s.used[i] = 0;
                hand = (i + 1) & mask;
            }
        }

        private void grow() {
            Slots old = slots;
            Slots bigger = newSlots(old.keys.length * 2);
            int mask = bigger.mask();
            for (int i = 0; i < old.keys.length; i++) {
                if (old.full[i] == 0) continue;
                int j = (int) mix(old.keys[i]) & mask;
                while (bigger.full[j] != 0) j = (j + 1) & mask;
                bigger.keys[j] = old.keys[i];
                bigger.set(j, old.valueAt(i), old.numberAt(i));
                bigger.used[j] = old.used[i];
                bigger.full[j] = 1;
            }
            slots = bigger;
            hand = 0;
        }

        void insert(long key, long h, Object value, long number) {
            Slots s = slots;
            int mask = s.mask();
            int i = (int) h & mask;
            while (s.full[i] != 0) i = (i + 1) & mask;
            s.keys[i] = key;
            s.set(i, value, number);
            s.full[i] = 1;
            size++;
            count.incrementAndGet();
        }

        /** Backward-shift deletion: entries after {@code i} that may live there move up, so probes never meet a hole. */
        void removeAt(int i) {
            Slots s = slots;
            int mask = s.mask();
            int hole = i;
            int j = i;
            while (true) {
                j = (j + 1) & mask;
                if (s.full[j] == 0) break;
                int home = (int) mix(s.keys[j]) & mask;
                // Entry j may move to the hole unless its home lies cyclically in (hole, j].
                boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
                if (stays) continue;
                s.move(j, hole);
                hole = j;
            }
            s.clear(hole);
            size--;
            count.decrementAndGet();
        }
    }
}
