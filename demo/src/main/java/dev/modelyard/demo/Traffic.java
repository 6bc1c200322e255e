package dev.modelyard.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An application on the device: sends inference requests one after the other, a few milliseconds
 * apart, and counts every answer by the version that gave it and every failure with its reason.
 * A request fails when it does not get a 200 with a valid answer.
 */
final class Traffic implements AutoCloseable {

    private static final long PAUSE_MILLIS = 5;
    private static final int REASONS_KEPT = 5;

    private final Device device;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private final Map<String, Long> answered = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();
    private long failed;

    private Traffic(Device device) {
        this.device = device;
        this.thread = new Thread(this::loop, "demo-traffic");
        this.thread.setDaemon(true);
    }

    static Traffic start(Device device) {
        Traffic t = new Traffic(device);
        t.thread.start();
        return t;
    }

    private void loop() {
        while (!stop.get()) {
            try {
                Device.Answer a = device.infer(SampleModel.SAMPLE);
                synchronized (this) {
                    answered.merge(a.version(), 1L, Long::sum);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                synchronized (this) {
                    failed++;
                    if (failures.size() < REASONS_KEPT) failures.add(e.getMessage());
                }
            }
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** What was sent until now. */
    record Counts(long answered, long failed, Map<String, Long> byVersion, List<String> firstFailures) {
        long sent() {
            return answered + failed;
        }
    }

    synchronized Counts counts() {
        long ok = answered.values().stream().mapToLong(Long::longValue).sum();
        return new Counts(ok, failed, new TreeMap<>(answered), List.copyOf(failures));
    }

    /** Stops after the request under way has its answer. */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join();
    }
}
