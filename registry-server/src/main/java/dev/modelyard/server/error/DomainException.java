package dev.modelyard.server.error;

import java.util.List;

/**
 * A failure the caller can act on, named by its {@link ErrorCode}. Services throw it and know
 * nothing of HTTP; the HTTP layer renders it (as problem+json with the code's status) and the DDI
 * layer reacts to its code. The detail is for people; callers branch on the code.
 *
 * <p>A problem about one input names it: the JSON path of a body {@code field}, or the path
 * segment, query parameter or header ({@code parameter}), with the values {@code accepted}
 * instead where there is a closed list.
 */
public class DomainException extends RuntimeException {

    private final ErrorCode code;
    private final String field;
    private final String parameter;
    private final List<String> accepted;
    private final Integer offset;
    private List<InputError> errors;

    protected DomainException(ErrorCode code, String detail, String field, String parameter, List<String> accepted) {
        this(code, detail, field, parameter, accepted, null);
    }

    protected DomainException(ErrorCode code, String detail, String field, String parameter, List<String> accepted,
                              Integer offset) {
        // No stack trace: these are answers to callers, thrown often and never a bug to trace.
        super(detail, null, false, false);
        this.code = java.util.Objects.requireNonNull(code, "code");
        this.field = field;
        this.parameter = parameter;
        this.accepted = accepted;
        this.offset = offset;
    }

    /** A problem of the kind {@code code}. */
    public static DomainException of(ErrorCode code, String detail) {
        return new DomainException(code, detail, null, null, null);
    }

    /** A problem about the body field at JSON path {@code field}. */
    public static DomainException field(ErrorCode code, String field, String detail) {
        return new DomainException(code, detail, field, null, null);
    }

    /** A problem about a body field whose value must be one of {@code accepted}. */
    public static DomainException field(ErrorCode code, String field, String detail, List<String> accepted) {
        return new DomainException(code, detail, field, null, accepted);
    }

    /** A problem about the path segment, query parameter or header named {@code parameter}. */
    public static DomainException parameter(ErrorCode code, String parameter, String detail) {
        return new DomainException(code, detail, null, parameter, null);
    }

    /** A problem about a parameter whose value must be one of {@code accepted}. */
    public static DomainException parameter(ErrorCode code, String parameter, String detail, List<String> accepted) {
        return new DomainException(code, detail, null, parameter, accepted);
    }

    /**
     * A problem inside a text input (e.g. a device filter) at the 0-based character {@code offset},
     * about the query {@code parameter} or, when that is null, the body {@code field};
     * {@code accepted} (may be null) lists what would have been valid there.
     */
    public static DomainException at(ErrorCode code, String parameter, String field, int offset, String detail,
                                     List<String> accepted) {
        return new DomainException(code, detail, parameter == null ? field : null, parameter, accepted, offset);
    }

    /** A problem of several inputs at once (the documents of a manifest set), each with its place. */
    public static DomainException withErrors(ErrorCode code, String detail, List<InputError> errors) {
        DomainException e = new DomainException(code, detail, null, null, null);
        e.errors = List.copyOf(errors);
        return e;
    }

    /** The stable, machine-readable kind of problem; never null. */
    public ErrorCode code() {
        return code;
    }

    /** What went wrong, in words a user can act on. */
    public String detail() {
        return getMessage();
    }

    /** The JSON path of the body field the problem is about, or null. */
    public String field() {
        return field;
    }

    /** The path segment, query parameter or header the problem is about, or null. */
    public String parameter() {
        return parameter;
    }

    /** The values or names accepted instead, or null. */
    public List<String> accepted() {
        return accepted;
    }

    /** Each problem of a multi-document input ({@link #withErrors}), or null. */
    public List<InputError> errors() {
        return errors;
    }

    /** The 0-based character offset of the bad token inside the text input, or null. */
    public Integer tokenOffset() {
        return offset;
    }
}
