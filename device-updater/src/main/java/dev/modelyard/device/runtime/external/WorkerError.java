package dev.modelyard.device.runtime.external;

/** The worker answered a request with an error frame: {@code code} as the protocol defines it, and its message. */
final class WorkerError extends Exception {

    private final String code;

    WorkerError(String code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    String code() {
        return code;
    }
}
