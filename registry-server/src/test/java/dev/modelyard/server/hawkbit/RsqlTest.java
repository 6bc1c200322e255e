package dev.modelyard.server.hawkbit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.error.DomainException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The part of hawkBit's query language evaluated here, the name and version mapping, and sort parsing, as tables. */
class RsqlTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            controllerId==cam-1                | and lower(controllerId) = :q0                              | cam-1
            name==Kiosk*                       | and lower(name) like :q0 escape '\\'                       | kiosk%
            name!=a_b*                         | and not lower(name) like :q0 escape '\\'                   | a\\_b%
            updateStatus==in_sync              | and str(status) = :q0                                      | IN_SYNC
            id=="quoted value"                 | and lower(controllerId) = :q0                              | quoted value
            """)
    void evaluatedForms(String q, String jpql, String param) {
        Rsql.Where w = Rsql.parse(q, Rsql.TARGET_FIELDS);
        assertEquals(" " + jpql, w.jpql()); // the table trims the leading space
        assertEquals(Map.of("q0", param), w.params());
    }

    /** hawkBit's times are epoch milliseconds: a comparison is with that millisecond, not with text. */
    @Test
    void timesAreComparedAsMilliseconds() {
        Rsql.Where w = Rsql.parse("createdAt==1700000000123;lastModifiedAt!=0", Rsql.TARGET_FIELDS);
        assertEquals(" and (createdAt >= :q0from and createdAt < :q0to) and not (updatedAt >= :q1from and updatedAt < :q1to)",
                w.jpql());
        assertEquals(Map.of("q0from", Instant.ofEpochMilli(1700000000123L), "q0to", Instant.ofEpochMilli(1700000000124L),
                "q1from", Instant.EPOCH, "q1to", Instant.ofEpochMilli(1)), w.params());
    }

    @Test
    void quotedValuesMayHoldOperators() {
        assertEquals(Map.of("q0", "a!=b"), Rsql.parse("name==\"a!=b\"", Rsql.TARGET_FIELDS).params());
        assertEquals(Map.of("q0", "ERROR"), Rsql.parse("updateStatus!=ERROR", Rsql.TARGET_FIELDS).params());
    }

    @Test
    void termsJoinedBySemicolonOrAndAllHold() {
        assertEquals(" and lower(name) = :q0 and lower(controllerId) like :q1 escape '\\'",
                Rsql.parse("name==a;controllerId==b*", Rsql.TARGET_FIELDS).jpql());
        assertEquals(2, Rsql.parse("name==a and controllerId==b", Rsql.TARGET_FIELDS).params().size());
        assertEquals("", Rsql.parse(" ", Rsql.TARGET_FIELDS).jpql());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            name==a,name==b          | only comparisons joined by ';'
            (name==a)                | only comparisons joined by ';'
            name=in=(a,b)            | only comparisons joined by ';'
            name=lt=b                | must be field==value
            ipAddress==1.2.3.4       | field 'ipAddress' is not one of
            ==x                      | must be field==value
            updateStatus==foo        | 'foo' is not one of [unknown, registered, pending, in_sync, error]
            name!=a!=b               | must be one field==value or field!=value
            name==a==b               | must be one field==value or field!=value
            name==a!=b               | must be one field==value or field!=value
            createdAt==yesterday     | must be a time in milliseconds since 1970
            createdAt==17*           | must be a time in milliseconds since 1970
            lastModifiedAt==9223372036854775807 | must be a time in milliseconds since 1970
            """)
    void refusedRatherThanEvaluatedDifferently(String q, String message) {
        DomainException e = assertThrows(DomainException.class, () -> Rsql.parse(q, Rsql.TARGET_FIELDS));
        assertEquals(400, e.code().status());
        assertTrue(e.getMessage().startsWith("q:"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            software module 12.5      | software-module-12.5
            SM Name                   | sm-name
            --OS image (arm)          | os-image-arm-
            kws_small.v2              | kws_small.v2
            """)
    void moduleNamesBecomeModelNames(String name, String model) {
        assertEquals(model, MgmtModules.modelName(name));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            1.0.0                | 1.0.0
            1.0                  | 1.0.0
            1                    | 1.0.0
            1.2000000000000002   | 1.2000000000000002.0
            2.1.0-rc.1           | 2.1.0-rc.1
            """)
    void moduleVersionsBecomeSemanticVersions(String version, String semver) {
        assertEquals(semver, MgmtModules.semver(version));
    }

    @Test
    void otherVersionTextIsRefused() {
        assertEquals(400, assertThrows(DomainException.class, () -> MgmtModules.semver("v1 beta")).code().status());
        assertEquals(400, assertThrows(DomainException.class, () -> MgmtModules.modelName("  ***  ")).code().status());
    }

    @Test
    void sortParameters() {
        Paging p = Paging.of(0, 50, "name:DESC, controllerId:asc");
        assertEquals("name DESC, controllerId ASC", p.orderBy(Rsql.TARGET_FIELDS, "x"));
        assertEquals("controllerId", Paging.of(null, null, null).orderBy(Rsql.TARGET_FIELDS, "controllerId"));
        for (String bad : new String[]{"name", "name:UP", "nope:ASC"}) {
            DomainException e = assertThrows(DomainException.class, () -> Paging.of(0, 10, bad).orderBy(Rsql.TARGET_FIELDS, "x"));
            assertTrue(e.getMessage().startsWith("sort:"), e.getMessage());
        }
        assertEquals(400, assertThrows(DomainException.class, () -> Paging.of(-1, 10, null)).code().status());
        assertEquals(400, assertThrows(DomainException.class, () -> Paging.of(0, 501, null)).code().status());
    }
}
