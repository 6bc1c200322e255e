package dev.modelyard.cli;

/** A failure the user can act on; reported as {@code error: <message>} without a stack trace. */
final class CliException extends Exception {

    private static final long serialVersionUID = 1L;

    CliException(String message) {
        super(message);
    }
}
