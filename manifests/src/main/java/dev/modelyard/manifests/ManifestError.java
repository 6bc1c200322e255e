package dev.modelyard.manifests;

/**
 * One problem of one manifest, where it is: {@code path} is the JSON pointer of the value inside
 * its document ({@code /spec/aliases/stable}); {@code document} the 0-based index of the document
 * in its file.
 */
public record ManifestError(String file, int line, int column, String path, String message) {

    public static ManifestError at(String file, Location at, String path, String message) {
        return new ManifestError(file, at.line(), at.column(), path, message);
    }

    /** {@code file:line:col: message}, the form compilers use, which editors and CI annotate. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
