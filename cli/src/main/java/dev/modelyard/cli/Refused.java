package dev.modelyard.cli;

import dev.modelyard.wire.trust.VerificationException;

/**
 * A document the verifier refused; reported as {@code refused: <REASON>: <message>}, the same
 * reason a device would log.
 */
final class Refused extends Exception {

    private static final long serialVersionUID = 1L;

    private final VerificationException.Reason reason;

    Refused(VerificationException cause, String context) {
        super(context == null ? cause.getMessage() : context + ": " + cause.getMessage(), cause);
        this.reason = cause.reason();
    }

    VerificationException.Reason reason() {
        return reason;
    }
}
