package dev.modelyard.server.conversion.job;

import java.util.Locale;

/** Where a conversion job is: queued → running → succeeded, failed or cancelled. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    public static JobStatus parse(String text) {
        for (JobStatus s : values()) {
            if (s.wireName().equals(text)) return s;
        }
        throw new IllegalArgumentException("status: '" + text + "' is not one of queued, running, succeeded, failed, cancelled");
    }
}
