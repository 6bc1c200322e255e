package dev.modelyard.cli;

import picocli.CommandLine.Option;

/** Which page of a list answer to print; the answer says the total, so a script can ask for the next. */
final class PageOption {

    @Option(names = "--page", paramLabel = "N", defaultValue = "0", description = "The page, from 0 (default: ${DEFAULT-VALUE}).")
    int page;
}
