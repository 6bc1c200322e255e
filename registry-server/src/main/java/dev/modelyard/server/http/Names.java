package dev.modelyard.server.http;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import java.util.regex.Pattern;

/** The naming rule shared by models, aliases and token names. */
public final class Names {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private Names() {
    }

    public static String require(String field, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw DomainException.of(ErrorCode.INVALID_NAME, field + ": '" + (value == null ? "" : value)
                    + "' is not a valid name (lower-case letters, digits, '.', '_', '-'; starts with a letter or digit; at most 63)");
        }
        return value;
    }
}
