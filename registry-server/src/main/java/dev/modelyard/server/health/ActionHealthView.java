package dev.modelyard.server.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The newest serving health a device reported for one model of an action, as the management API
 * shows it. {@code errorRate} is derived (errors / requests; null without requests).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ActionHealthView(String model, String version, String replacedVersion, long servedSeconds, long requests,
                               long errors, Double errorRate, Double p50Ms, Double p99Ms, Double baselineP99Ms,
                               Double p99Ratio, String selfTest, boolean complete, Instant reportedAt) {
}
