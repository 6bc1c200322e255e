package dev.modelyard.server.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Concurrent creates of the same name: one wins, the others get 409 already-exists, never a 500. */
@QuarkusTest
class ConcurrentCreateTest {

    private static final int CALLERS = 6;
    private static final int ROUNDS = 5;

    /** Sends the same request from several threads at once; returns each answer's status and code. */
    private static List<String> race(Supplier<Response> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    Response r = request.get();
                    return r.statusCode() == 201 ? "201" : r.statusCode() + " " + r.jsonPath().getString("code");
                }));
            }
            start.countDown();
            List<String> out = new ArrayList<>();
            for (Future<String> a : answers) out.add(a.get(2, TimeUnit.MINUTES));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertOneWinner(List<String> answers) {
        assertEquals(1, answers.stream().filter("201"::equals).count(), answers.toString());
        assertTrue(answers.stream().filter(a -> !"201".equals(a)).allMatch("409 already-exists"::equals), answers.toString());
    }

    @Test
    void concurrentCreatesOfOneTenant() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String id = Api.uniqueName("twin");
            assertOneWinner(race(() -> Teams.systemAdmin().contentType(ContentType.JSON)
                    .body(Map.of("id", id, "name", "Twin")).post("/api/v1/tenants")));
        }
    }

    @Test
    void concurrentCreatesOfOneRole() throws Exception {
        String token = Teams.createTenant(Api.uniqueName("roles")).getString("adminToken.token");
        for (int round = 0; round < ROUNDS; round++) {
            String name = Api.uniqueName("twin-role");
            Supplier<RequestSpecification> as = () -> Api.as(token);
            assertOneWinner(race(() -> as.get().contentType(ContentType.JSON)
                    .body(Map.of("name", name, "permissions", List.of("models:read"))).post("/api/v1/roles")));
        }
    }
}
