package dev.modelyard.server.push;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {

    @Test
    void eventsAreSpacedAtTheRateWithoutABurst() throws Exception {
        Pacer pacer = new Pacer(50); // 20 ms apart
        long start = System.nanoTime();
        for (int i = 0; i < 11; i++) pacer.await();
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        // Ten intervals at least; a busy machine can only make it longer.
        assertTrue(elapsedMillis >= 200, "11 events at 50/s took only " + elapsedMillis + " ms");
    }
}
