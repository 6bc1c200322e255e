package dev.modelyard.cli;

import picocli.CommandLine.Parameters;

/** The first two arguments of the commands about one version: MODEL VERSION. */
final class VersionRef {

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "VERSION", description = "A semantic version, e.g. 1.2.0 (or an alias where one is read).")
    String version;
}
