package dev.modelyard.server.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tenant id rule, by example: what a DDI path, a header or the tenant admin API may name. */
class TenantsTest {

    @ParameterizedTest(name = "[{0}] valid: {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
            default                                                          | true
            a                                                                | true
            0                                                                | true
            acme-robotics                                                    | true
            team-2-eu                                                        | true
            a-                                                               | true
            abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijklmnopqrstuvwxyz | true
            abcdefghijklmnopqrstuvwxyz0123456789-abcdefghijklmnopqrstuvwxyz0 | false
            -acme                                                            | false
            Acme                                                             | false
            acme_robotics                                                    | false
            acme.robotics                                                    | false
            acme/robotics                                                    | false
            acme%2F                                                          | false
            *                                                                | false
            'acme '                                                          | false
            ''                                                               | false
            NULL                                                             | false
            café                                                             | false
            """)
    void slugs(String id, boolean valid) {
        assertEquals(valid, Tenants.isValidId(id));
    }
}
