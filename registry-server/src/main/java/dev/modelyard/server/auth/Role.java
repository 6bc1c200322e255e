package dev.modelyard.server.auth;

import java.util.Locale;
import java.util.Set;

/** API token roles. Each role includes the ones below it: admin ⊃ publisher ⊃ viewer. */
public enum Role {
    VIEWER, PUBLISHER, ADMIN;

    public static final String VIEWER_NAME = "viewer";
    public static final String PUBLISHER_NAME = "publisher";
    public static final String ADMIN_NAME = "admin";

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The security role names an identity with this role holds. */
    public Set<String> grantedRoles() {
        return switch (this) {
            case ADMIN -> Set.of(ADMIN_NAME, PUBLISHER_NAME, VIEWER_NAME);
            case PUBLISHER -> Set.of(PUBLISHER_NAME, VIEWER_NAME);
            case VIEWER -> Set.of(VIEWER_NAME);
        };
    }

    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.wireName().equals(text)) return r;
        }
        throw new IllegalArgumentException("role: '" + text + "' is not one of admin, publisher, viewer");
    }
}
