package dev.modelyard.manifests;

/** A place in a manifest file: 1-based line and column, as editors count them. */
public record Location(int line, int column) {

    public static final Location START = new Location(1, 1);

    /** This location moved {@code columns} characters to the right (e.g. to a token inside a scalar value). */
    public Location plusColumns(int columns) {
        return new Location(line, column + columns);
    }
}
