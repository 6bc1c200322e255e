package dev.modelyard.server.desiredstate;

import java.util.function.Predicate;

/**
 * Who plans or applies, and what they may do: a caller's token through the HTTP layer, or later a
 * git sync's configured identity. The service checks every change against it before it changes
 * anything.
 */
public record Actor(String name, Predicate<String> permissions) {

    public boolean may(String permission) {
        return permissions.test(permission);
    }
}
