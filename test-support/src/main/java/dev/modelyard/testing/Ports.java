package dev.modelyard.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for servers started by tests.
 *
 * <p>A port picked by binding port 0 comes from the kernel's ephemeral range, the same range
 * the kernel draws the local port of every outgoing connection from. Between the pick and the
 * moment the server binds it, any connection on the machine (a JDBC pool opening, a test's HTTP
 * client) may take that very port, and the server fails with "address already in use" — rarely,
 * and more often on a busy machine. So ports are picked below the ephemeral range, where no
 * outgoing connection ever lands, and never handed out twice in one JVM.
 */
public final class Ports {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private Ports() {
    }

    /** A loopback port that is free now, outside the ephemeral range, not returned before in this JVM. */
    public static synchronized int free() {
        int below = firstEphemeralPort();
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (!HANDED_OUT.contains(port) && bindable(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port between " + LOWEST + " and " + below);
    }

    /** The kernel's first ephemeral port; 32768 where the range cannot be read (Linux's default). */
    private static int firstEphemeralPort() {
        try {
            int first = Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
            return first > LOWEST + 1_000 ? first : 32_768;
        } catch (IOException | RuntimeException unreadable) {
            return 32_768;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** Waits between polls of a process that is starting; interruption ends the wait early. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
