package dev.modelyard.server.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LongTableTest {

    /** Random puts, removes, accumulations and compare-and-sets on few keys (long probe chains, many backward shifts) agree with a HashMap. */
    @Test
    void agreesWithAMapUnderRandomOperations() {
        LongTable<String> table = LongTable.bounded(Integer.MAX_VALUE, null);
        Map<Long, String> values = new HashMap<>();
        Map<Long, Long> numbers = new HashMap<>();
        Random random = new Random(42);
        for (int step = 0; step < 200_000; step++) {
            // Keys that collide in the low bits too: sequential ids, negative ones, zero, extremes.
            long key = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(3000);
                case 1 -> -random.nextInt(50);
                case 2 -> (long) random.nextInt(500) << 40;
                default -> random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
            };
            switch (random.nextInt(6)) {
                case 0, 1 -> {
                    String v = "v" + step;
                    assertEquals(values.put(key, v), table.put(key, v, step), "put " + key);
                    numbers.put(key, (long) step);
                }
                case 2 -> {
                    assertEquals(values.remove(key), table.remove(key), "remove " + key);
                    numbers.remove(key);
                }
                case 3 -> {
                    long expected = numbers.containsKey(key) ? Math.max(numbers.get(key), step % 977) : step % 977;
                    if (!numbers.containsKey(key)) values.put(key, null);
                    numbers.put(key, expected);
                    assertEquals(expected, table.accumulate(key, step % 977, Math::max), "accumulate " + key);
                }
                case 4 -> {
                    // Compare-and-set against the held number half of the time, against another or "none" otherwise.
                    long expected = random.nextBoolean() ? numbers.getOrDefault(key, -1L) : random.nextInt(3) - 1;
                    boolean holds = numbers.containsKey(key) ? numbers.get(key) == expected : expected == -1;
                    if (holds) {
                        if (!numbers.containsKey(key)) values.put(key, null);
                        numbers.put(key, (long) step);
                    }
                    assertEquals(holds, table.replaceLong(key, expected, step, -1), "replaceLong " + key);
                }
                default -> {
                    assertEquals(values.get(key), table.get(key), "get " + key);
                    assertEquals(numbers.getOrDefault(key, -1L), table.getLong(key, -1), "getLong " + key);
                }
            }
            assertEquals(values.size(), table.size());
        }
        for (Map.Entry<Long, String> e : values.entrySet()) {
            assertEquals(e.getValue(), table.get(e.getKey()));
            assertEquals(numbers.get(e.getKey()), table.getLong(e.getKey(), -1));
        }
        long[] keys = table.keys();
        assertEquals(values.keySet(), LongStream.of(keys).boxed().collect(java.util.stream.Collectors.toSet()));
        assertEquals(values.size(), keys.length, "no key twice");
    }

    @Test
    void conditionalRemoveAndRemoveLong() {
        LongTable<String> table = LongTable.bounded(100, null);
        table.put(7, "a", 70);
        assertFalse(table.remove(7, "b"));
        assertEquals("a", table.get(7));
        assertTrue(table.remove(7, "a"));
        assertNull(table.get(7));
        assertEquals(-1, table.removeLong(7, -1));
        LongTable<Void> numbers = LongTable.unboundedNumbers();
        numbers.accumulate(3, 30, Math::max);
        assertEquals(30, numbers.removeLong(3, -1));
        assertEquals(0, numbers.size());
    }

    /** What the token index uses for its expiry: the value only while its number is above the given one. */
    @Test
    void getIfNumberAboveComparesTheEntrysNumber() {
        LongTable<String> table = LongTable.bounded(100, null);
        table.put(5, "a", 1_000);
        assertEquals("a", table.getIfNumberAbove(5, 999));
        assertNull(table.getIfNumberAbove(5, 1_000), "not above: expired");
        assertNull(table.getIfNumberAbove(6, 0), "absent");
        assertEquals("a", table.get(5), "an expired entry is still held");
    }

    @Test
    void staysWithinItsBoundAndTellsWhatItDropped() {
        for (int bound : new int[] {1, 2, 3, 1000, 70_000}) {
            Map<Long, String> dropped = new HashMap<>();
            LongTable<String> table = LongTable.bounded(bound, (key, value, number) -> {
                assertEquals("v" + key, value);
                assertEquals(key * 10, number);
                assertTrue(dropped.put(key, value) == null, "dropped once");
            });
            int n = bound * 3 + 5;
            for (long k = 0; k < n; k++) {
                table.put(k, "v" + k, k * 10);
                assertTrue(table.size() <= bound, "bound " + bound + " holds " + table.size());
            }
            assertEquals(bound, table.size());
            assertEquals(n - bound, dropped.size(), "everything not held was told");
            for (long k = 0; k < n; k++) {
                assertTrue(dropped.containsKey(k) != (table.get(k) != null), "held or dropped: " + k);
            }
        }
    }

    /** The CLOCK rule: entries read since the hand last passed stay, the others go first. */
    @Test
    void dropsWhatWasNotReadFirst() {
        LongTable<String> table = LongTable.bounded(100, null);
        for (long k = 0; k < 100; k++) table.put(k, "v" + k);
        // Every entry was used once (at its insertion): the first eviction sweeps those marks away.
        table.put(1000, "x");
        List<Long> read = new ArrayList<>();
        int unread = 0;
        for (long k : table.keys()) { // keys() marks nothing
            if (k == 1000) continue;
            if (k % 2 == 0) read.add(k);
            else unread++;
        }
        assertEquals(99, read.size() + unread, "one entry made room for key 1000");
        for (long k : read) assertEquals("v" + k, table.get(k));
        for (long k = 1001; k < 1001 + unread; k++) table.put(k, "x");
        for (long k : read) assertEquals("v" + k, table.get(k), "read entries stay: " + k);
        for (long k = 1; k < 100; k += 2) assertNull(table.get(k), "unread entries went first: " + k);
    }

    @Test
    void refusesAnEmptyBound() {
        assertThrows(IllegalArgumentException.class, () -> LongTable.bounded(0, null));
    }

    @Test
    void clearEmptiesEverySegment() {
        LongTable<String> table = LongTable.bounded(1_000_000, null);
        for (long k = 0; k < 50_000; k++) table.put(k, "v");
        table.clear();
        assertEquals(0, table.size());
        assertArrayEquals(new long[0], table.keys());
        assertNull(table.get(5));
    }

    /**
     * Readers never see a wrong value while writers insert (growing segments), remove (shifting
     * entries back) and evict: each key's value names its key, and a key that is never removed is
     * always found when nothing is evicted. Runs until every thread did its share of operations,
     * not for a time.
     */
    @Test
    void readersSeeOnlyWhatWasPutWhileWritersChangeTheTable() throws Exception {
        readersAndWriters(100_000, true);
    }

    @Test
    void readersSeeOnlyWhatWasPutWhileWritersEvict() throws Exception {
        readersAndWriters(5_000, false);
    }

    private static void readersAndWriters(int bound, boolean nothingEvicted) throws Exception {
        LongTable<Long> table = LongTable.bounded(bound, null);
        // Keys 0..999 are put first and never removed.
        for (long k = 0; k < 1000; k++) table.put(k, k, k);
        AtomicBoolean wrong = new AtomicBoolean();
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int seed = w;
                work.add(pool.submit(() -> {
                    start.await();
                    Random random = new Random(seed);
                    for (int i = 0; i < 400_000; i++) {
                        long key = 1000 + random.nextInt(60_000);
                        if (random.nextInt(3) == 0) table.remove(key);
                        else table.put(key, key, key);
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 2; r++) {
                int seed = 10 + r;
                work.add(pool.submit(() -> {
                    start.await();
                    Random random = new Random(seed);
                    for (int i = 0; i < 800_000; i++) {
                        long key = random.nextInt(61_000);
                        Long v = table.get(key);
                        long n = table.getLong(key, key);
                        if ((v != null && v != key) || n != key || (nothingEvicted && key < 1000 && v == null)) {
                            wrong.set(true);
                            problems.add("key " + key + " read " + v + "/" + n);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : work) f.get(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        assertFalse(wrong.get(), () -> problems.subList(0, Math.min(5, problems.size())).toString());
        assertTrue(table.size() <= bound, "bound kept: " + table.size());
        Set<Long> keys = new HashSet<>();
        for (long k : table.keys()) {
            assertTrue(keys.add(k), "key twice: " + k);
            assertEquals(k, table.get(k));
        }
        assertEquals(table.size(), keys.size());
        if (nothingEvicted) for (long k = 0; k < 1000; k++) assertEquals(k, table.get(k));
    }
}
