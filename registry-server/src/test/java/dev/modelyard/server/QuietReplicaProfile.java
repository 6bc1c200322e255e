package dev.modelyard.server;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * A replica with its background machinery off, in one profile so Quarkus starts once for both of
 * its tests (see {@link OperatorSettingsProfile} for why that matters). Not for push tests: push
 * hints follow the change feed.
 *
 * <ul>
 *   <li>{@code modelyard.ddi.change-feed=false}: ddi.PollWithoutChangeFeedTest.</li>
 *   <li>{@code modelyard.conversion.workers=0}: conversion.job.ConversionWorkersOffTest.</li>
 * </ul>
 */
public class QuietReplicaProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "modelyard.ddi.change-feed", "false",
                "modelyard.conversion.workers", "0");
    }
}
