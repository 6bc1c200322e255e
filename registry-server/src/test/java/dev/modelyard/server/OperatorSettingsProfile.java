package dev.modelyard.server;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Settings an operator may change whose tests do not disturb each other, in one profile: Quarkus
 * starts the server again for every distinct test profile, and each start costs the suite far more
 * than the tests it serves. Each setting is here for one test, which says so; a test that needs a
 * setting at odds with these (or with the defaults other tests rely on) gets a profile of its own.
 *
 * <ul>
 *   <li>{@code modelyard.conversion.allowed-commands=/bin/cp}: tenant.TenantAllowedCommandsTest.</li>
 *   <li>{@code modelyard.hawkbit.readable-target-tokens=true}: hawkbit.HawkbitReadableTokensTest.</li>
 *   <li>{@code modelyard.ddi.cache.max-devices=2}: ddi.PollCacheBoundTest (the bound it checks holds
 *     whatever other tests polled before it).</li>
 *   <li>{@code modelyard.ddi.polling-sleep=PT1S}: ddi.SwupdateClientTest (SWUpdate sleeps as long as
 *     the server says; a second keeps the test short).</li>
 * </ul>
 */
public class OperatorSettingsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "modelyard.conversion.allowed-commands", "/bin/cp",
                "modelyard.hawkbit.readable-target-tokens", "true",
                "modelyard.ddi.cache.max-devices", "2",
                "modelyard.ddi.polling-sleep", "PT1S");
    }
}
