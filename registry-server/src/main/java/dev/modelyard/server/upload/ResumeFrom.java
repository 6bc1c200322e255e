package dev.modelyard.server.upload;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;

/**
 * An append that was refused (wrong offset) or cut off: the client resumes from {@link #offset()}.
 * The resource tells it in the Upload-Offset header; the service only knows the number.
 */
public final class ResumeFrom extends DomainException {

    private final long offset;

    ResumeFrom(ErrorCode code, long offset, String detail) {
        super(code, detail, null, null, null);
        this.offset = offset;
    }

    /** The upload's offset: the bytes the server has durably. */
    public long offset() {
        return offset;
    }
}
