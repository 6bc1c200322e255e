package dev.modelyard.server.device;

import java.util.Locale;

/**
 * Where a device stands: never seen ({@code unknown}), polling with nothing assigned
 * ({@code registered}), working on an open action ({@code pending}), running what was last
 * assigned ({@code in_sync}), or its last action failed ({@code error}).
 */
public enum DeviceStatus {
    UNKNOWN, REGISTERED, PENDING, IN_SYNC, ERROR;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeviceStatus parse(String text) {
        for (DeviceStatus s : values()) {
            if (s.wireName().equals(text)) return s;
        }
        throw new IllegalArgumentException("status: '" + text + "' is not one of unknown, registered, pending, in_sync, error");
    }
}
