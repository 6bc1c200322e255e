package dev.modelyard.device.ddi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.modelyard.device.install.Installer;
import dev.modelyard.wire.ddi.DeploymentBase;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpdaterTest {

    private static DeploymentBase.Chunk chunk(String name, String model) {
        return new DeploymentBase.Chunk("model", "1.0.0", name, List.of(),
                model == null ? null : List.of(new DeploymentBase.KeyValue("model", model)));
    }

    private static DeploymentBase.Deployment deployment(DeploymentBase.Chunk... chunks) {
        return new DeploymentBase.Deployment(DeploymentBase.FORCED, DeploymentBase.FORCED, List.of(chunks), null);
    }

    @Test
    void anActionMakesOneSwapPerModel() throws Exception {
        assertEquals(1, Updater.plannedSwaps(deployment(chunk("kws", null))));
        assertEquals(2, Updater.plannedSwaps(deployment(chunk("kws", null), chunk("vad-chunk", "vad"))));
    }

    @Test
    void onlyAnUnavailableWindowHoldsTheInstallWhileSkipAloneMeansDownloadOnly() {
        DeploymentBase.Chunk c = chunk("kws", null);
        assertEquals(true, Updater.heldByWindow(new DeploymentBase.Deployment(DeploymentBase.FORCED, DeploymentBase.SKIP,
                List.of(c), DeploymentBase.UNAVAILABLE)));
        assertEquals(false, Updater.heldByWindow(new DeploymentBase.Deployment(DeploymentBase.FORCED, DeploymentBase.FORCED,
                List.of(c), DeploymentBase.AVAILABLE)));
        assertEquals(false, Updater.heldByWindow(new DeploymentBase.Deployment(DeploymentBase.FORCED, DeploymentBase.SKIP,
                List.of(c), null)));
    }

    @Test
    void twoChunksOfOneModelAreRefusedInsteadOfNeverCountingAsFullySwapped() {
        Installer.Refused e = assertThrows(Installer.Refused.class,
                () -> Updater.plannedSwaps(deployment(chunk("kws", null), chunk("kws-bis", "kws"))));
        assertEquals("the deployment names model kws in more than one chunk", e.getMessage());
    }
}
