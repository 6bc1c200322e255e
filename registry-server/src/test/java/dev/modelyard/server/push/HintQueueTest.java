package dev.modelyard.server.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HintQueueTest {

    @Test
    void aDeviceChangedAgainWhileWaitingIsHintedOnceInItsFirstPlace() throws Exception {
        HintQueue q = new HintQueue(10);
        assertEquals(0, q.offer(List.of(1L, 2L)));
        assertEquals(0, q.offer(List.of(1L, 3L, 2L, 1L)));
        assertEquals(List.of(1L, 2L, 3L), q.take(10, 0));
        // Taken means sent or about to be: a new change queues the device again.
        assertEquals(0, q.offer(List.of(1L)));
        assertEquals(List.of(1L), q.take(10, 0));
    }

    @Test
    void aFullQueueRefusesNewDevicesButStillCoalescesWaitingOnes() throws Exception {
        HintQueue q = new HintQueue(2);
        assertEquals(1, q.offer(List.of(1L, 2L, 3L)));
        assertEquals(0, q.offer(List.of(2L)));
        assertEquals(2, q.size());
        assertEquals(List.of(1L), q.take(1, 0));
        assertEquals(0, q.offer(List.of(4L)));
        assertEquals(List.of(2L, 4L), q.take(10, 0));
        assertEquals(0, q.size());
    }

    @Test
    void takeWaitsForTheFirstDeviceAndClearCountsWhatWasWaiting() throws Exception {
        HintQueue q = new HintQueue(5);
        assertTrue(q.take(10, 1).isEmpty());
        Thread producer = new Thread(() -> q.offer(List.of(7L)));
        producer.start();
        assertEquals(List.of(7L), q.take(10, 60_000));
        producer.join();
        q.offer(List.of(8L, 9L));
        assertEquals(2, q.clear());
        assertEquals(0, q.size());
    }
}
