package dev.modelyard.server.deployment;

import dev.modelyard.wire.ddi.DeploymentBase;
import java.util.Locale;

/** How insistently a device is asked to take a version: hawkBit's forced, soft and download-only. */
public enum ActionType {
    FORCED, SOFT, DOWNLOAD_ONLY;

    public String wireName() {
        return this == DOWNLOAD_ONLY ? "downloadonly" : name().toLowerCase(Locale.ROOT);
    }

    public static ActionType parse(String text) {
        if (text == null || text.isBlank()) return FORCED;
        for (ActionType t : values()) {
            if (t.wireName().equalsIgnoreCase(text.strip())) return t;
        }
        throw new IllegalArgumentException("type: '" + text + "' is not one of forced, soft, downloadonly");
    }

    /** DDI {@code deployment.download}. */
    public String ddiDownload() {
        return this == SOFT ? DeploymentBase.ATTEMPT : DeploymentBase.FORCED;
    }

    /** DDI {@code deployment.update}. */
    public String ddiUpdate() {
        return switch (this) {
            case FORCED -> DeploymentBase.FORCED;
            case SOFT -> DeploymentBase.ATTEMPT;
            case DOWNLOAD_ONLY -> DeploymentBase.SKIP;
        };
    }
}
