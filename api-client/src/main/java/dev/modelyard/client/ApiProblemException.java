package dev.modelyard.client;

import java.util.List;

/**
 * The server refused a call: its problem+json answer, typed. Callers react to {@link #code()}
 * (stable, listed in the API error table), never to the human-readable detail.
 */
public final class ApiProblemException extends RuntimeException {

    /** The problem+json body; {@code code} is null only for answers that carry no problem document. */
    public record Problem(String type, String title, int status, String detail, String instance, String code,
                          String field, String parameter, List<String> accepted, List<InputError> errors) {

        public Problem(String type, String title, int status, String detail, String instance, String code,
                       String field, String parameter, List<String> accepted) {
            this(type, title, status, detail, instance, code, field, parameter, accepted, null);
        }
    }

    /** One of several problems of an input sent as files (declarative manifests), where it is. */
    public record InputError(String file, int line, int column, String path, String message) {

        /** {@code file:line:col: message}. */
        @Override
        public String toString() {
            return file + ":" + line + ":" + column + ": " + message;
        }
    }

    /** Each problem of an input sent as files (e.g. manifests); empty for other problems. */
    public List<InputError> errors() {
        return problem.errors() == null ? List.of() : problem.errors();
    }

    private final Problem problem;

    public ApiProblemException(Problem problem) {
        super(problem.status() + " " + (problem.code() == null ? "" : problem.code() + ": ")
                + (problem.detail() != null ? problem.detail() : problem.title() != null ? problem.title() : ""));
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public int status() {
        return problem.status();
    }

    /** The stable error code, e.g. {@code version-not-draft}. */
    public String code() {
        return problem.code();
    }

    public String detail() {
        return problem.detail();
    }

    /** The request field the problem is about, or null. */
    public String field() {
        return problem.field();
    }

    /** The query parameter or header the problem is about, or null. */
    public String parameter() {
        return problem.parameter();
    }
}
