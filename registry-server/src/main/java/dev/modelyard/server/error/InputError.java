package dev.modelyard.server.error;

/**
 * One of several problems of a text input the caller sent as files (declarative manifests): where
 * it is (file, 1-based line and column, the dotted path of the value) and what is wrong.
 */
public record InputError(String file, int line, int column, String path, String message) {
}
