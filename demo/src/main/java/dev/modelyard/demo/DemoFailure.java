package dev.modelyard.demo;

/** Why the demo cannot go on, in words a newcomer can act on; reported without a stack trace. */
final class DemoFailure extends Exception {

    private static final long serialVersionUID = 1L;

    DemoFailure(String reason) {
        super(reason);
    }

    DemoFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
