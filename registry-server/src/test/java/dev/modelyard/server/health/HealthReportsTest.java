package dev.modelyard.server.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.Tenants;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Phase summaries over real reports in PostgreSQL: sums, medians over devices, the newest report of each action. */
@QuarkusTest
class HealthReportsTest {

    @Inject
    HealthReports reports;

    @Inject
    TenantContext tenants;

    private PhaseHealth summarize(String tenant, List<Long> actions) {
        return tenants.callAs(tenant, () -> QuarkusTransaction.requiringNew().call(() -> reports.summarize(actions)));
    }

    @Test
    void mediansOverDevicesSumsOfRequestsAndSelfTests() {
        String model = HealthFixtures.publishedModel("1.0.0");
        // p99 per device: 10, 20, 30, 100 → median 25; p50: 1, 2, 3, 4 → 2.5; ratio only on three: 1.0, 1.5, 3.0 → 1.5.
        Double[][] figures = {{1.0, 10.0, 1.0}, {2.0, 20.0, 1.5}, {3.0, 30.0, null}, {4.0, 100.0, 3.0}};
        String[] selfTests = {"passed", "passed", "failed", "none"};
        List<Long> actions = new ArrayList<>();
        for (int i = 0; i < figures.length; i++) {
            HealthFixtures.Dev d = HealthFixtures.device();
            long action = HealthFixtures.assign(model, "1.0.0", d);
            // A first report that the second replaces: only the newest counts.
            d.feedback(action, HealthFixtures.feedback("proceeding", "none", List.of(HealthFixtures.health(model, "1.0.0",
                    5, 5, 500.0, 900.0, 9.0, selfTests[i], false)))).statusCode(200);
            d.feedback(action, HealthFixtures.feedback("proceeding", "none", List.of(HealthFixtures.health(model, "1.0.0",
                    100 * (i + 1), i, figures[i][0], figures[i][1], figures[i][2], selfTests[i], false)))).statusCode(200);
            actions.add(action);
        }
        // An action without health (a stock client) counts nowhere.
        HealthFixtures.Dev silent = HealthFixtures.device();
        actions.add(HealthFixtures.assign(model, "1.0.0", silent));

        PhaseHealth h = summarize(Tenants.DEFAULT, actions);
        assertEquals(4, h.devices());
        assertEquals(1000, h.requests());
        assertEquals(6, h.errors());
        assertEquals(0.006, h.errorRate(), 1e-12);
        assertEquals(2.5, h.p50Ms(), 1e-9);
        assertEquals(25.0, h.p99Ms(), 1e-9);
        assertEquals(1.5, h.p99Ratio(), 1e-9);
        assertEquals(2, h.selfTestPassed());
        assertEquals(1, h.selfTestFailed());

        // A subset is summarized on its own.
        PhaseHealth first = summarize(Tenants.DEFAULT, actions.subList(0, 1));
        assertEquals(new PhaseHealth(1, 100, 0, 0.0, 1.0, 10.0, 1.0, 1, 0), first);
    }

    @Test
    void noReportsNoActionsAndOtherTenantsSummarizeToNothing() {
        assertEquals(PhaseHealth.NONE, summarize(Tenants.DEFAULT, List.of()));
        assertEquals(PhaseHealth.NONE, summarize(Tenants.DEFAULT, List.of(Long.MAX_VALUE)));

        String model = HealthFixtures.publishedModel("2.0.0");
        HealthFixtures.Dev d = HealthFixtures.device();
        long action = HealthFixtures.assign(model, "2.0.0", d);
        d.feedback(action, HealthFixtures.feedback("proceeding", "none", List.of(HealthFixtures.health(model, "2.0.0",
                0, 0, null, null, null, "none", false)))).statusCode(200);
        PhaseHealth h = summarize(Tenants.DEFAULT, List.of(action));
        assertEquals(1, h.devices());
        assertNull(h.errorRate(), "no requests: no error rate");
        assertNull(h.p99Ms());
        // Another tenant naming the same action ids sees nothing.
        assertEquals(PhaseHealth.NONE, summarize("other-tenant", List.of(action)));
    }
}
