package dev.modelyard.client;

import java.util.List;

/** One page of a list answer: {@code total} counts every match, {@code items} holds this page's. */
public record Page<T>(List<T> items, int page, int size, long total) {
}
