package dev.modelyard.device.runtime.external;

import java.io.IOException;

/**
 * The worker cannot answer: it is not running, it exited or broke the protocol, or a request timed
 * out (after which it is killed, since a worker that misses a deadline has an unknown state).
 */
final class WorkerGone extends IOException {

    WorkerGone(String message, Throwable cause) {
        super(message, cause);
    }
}
