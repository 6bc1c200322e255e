package dev.modelyard.wire.ddi;

/** A HAL link: {@code {"href": "…"}}. */
public record Link(String href) {
}
