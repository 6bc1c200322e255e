package dev.modelyard.server.devicefilter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The language without a database: which tree a filter parses to, which SQL and parameters it
 * compiles to, and where and why a bad one is refused. What the SQL selects is proven against
 * real devices in {@code DeviceFilterQueryTest}.
 */
class DeviceFilterParserTest {

    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    /** One model with versions 1.0.0 (id 11), 1.5.0 (12), 2.0.0 (13), 2.1.0-rc.1 (14). */
    private static final Map<String, FilterCompiler.ModelVersions> MODELS = Map.of("detector",
            new FilterCompiler.ModelVersions(7, List.of(new FilterCompiler.VersionRow(11, "1.0.0"),
                    new FilterCompiler.VersionRow(12, "1.5.0"), new FilterCompiler.VersionRow(13, "2.0.0"),
                    new FilterCompiler.VersionRow(14, "2.1.0-rc.1"))));

    private static DeviceFilter compile(String q) {
        return FilterCompiler.compile(q, name -> Optional.ofNullable(MODELS.get(name)), NOW);
    }

    private static FilterError refused(String q) {
        return assertThrows(FilterError.class, () -> compile(q), q);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a==1                                  | a==1",
            "a==1;b==2                             | and[a==1, b==2]",
            "a==1 and b==2                         | and[a==1, b==2]",
            "a==1,b==2;c==3                        | or[a==1, and[b==2, c==3]]",
            "a==1 or b==2 AND c==3                 | or[a==1, and[b==2, c==3]]",
            "(a==1,b==2);c==3                      | and[or[a==1, b==2], c==3]",
            "a=in=(x,'y z',\"q\\\"t\");b=out=(1)   | and[a=in=[x, y z, q\"t], b=out=[1]]",
            "a=lt=1;a<1;a=le=1;a<=1                | and[a=lt=1, a=lt=1, a=le=1, a=le=1]",
            "a=gt=1;a>1;a=ge=1;a>=1;a!=1           | and[a=gt=1, a=gt=1, a=ge=1, a=ge=1, a!=1]",
            "a=IN=(x)                              | a=in=[x]",
            "a=in=x                                | a=in=[x]",
            "name==and                             | name==and",
            "  ( ( a==1 ) )                        | a==1",
    })
    void parsesToTheTree(String filter, String tree) {
        assertEquals(tree, FilterSyntax.parse(filter).toString());
    }

    @Test
    void textSelectorsCompileToColumnsWithWildcardsAsLike() {
        DeviceFilter f = compile("controllerId==store-*;id!=x;name=in=(a,b);description=out=(c)");
        assertEquals("(d.controller_id LIKE ? AND NOT COALESCE(d.controller_id = ?, false) AND d.name = ANY(?)"
                + " AND NOT COALESCE(d.description = ANY(?), false))", f.sql());
        assertEquals("store-%", f.params().get(0));
        assertEquals("x", f.params().get(1));
        assertArrayEquals(new String[] {"a", "b"}, (String[]) f.params().get(2));
        // LIKE's own wildcards in a value are literal
        assertEquals("a\\%b\\_c%", compile("name==a%b_c*").params().get(0));
    }

    @Test
    void statusTakesWireNamesInAnyCase() {
        DeviceFilter f = compile("status==in_sync;updateStatus=out=(ERROR,pending)");
        assertEquals("(d.status = ANY(?) AND NOT (d.status = ANY(?)))", f.sql());
        assertArrayEquals(new String[] {"IN_SYNC"}, (String[]) f.params().get(0));
        assertArrayEquals(new String[] {"ERROR", "PENDING"}, (String[]) f.params().get(1));
    }

    @Test
    void attributeEqualityIsContainmentSoTheGinIndexServesIt() {
        DeviceFilter f = compile("attribute.arch==aarch64");
        assertEquals("d.attributes @> CAST(? AS jsonb)", f.sql());
        assertEquals("{\"arch\":\"aarch64\"}", f.params().get(0));
        // the containment document is JSON with the value escaped, whatever the value holds
        assertEquals("{\"k\":\"v\\\"a\\\\l\"}", compile("attribute.k==\"v\\\"a\\\\l\"").params().get(0));
        DeviceFilter in = compile("attribute.arch=in=(aarch64,armv7)");
        assertEquals("(d.attributes @> CAST(? AS jsonb) OR d.attributes @> CAST(? AS jsonb))", in.sql());
        assertEquals("NOT COALESCE(d.attributes @> CAST(? AS jsonb), false)", compile("attribute.arch!=x").sql());
        assertEquals("(d.attributes ->> CAST(? AS text)) LIKE ?", compile("attribute.os==linux*").sql());
    }

    @Test
    void attributeOrderingIsNumeric() {
        DeviceFilter f = compile("attribute.memoryMb=ge=512");
        assertTrue(f.sql().contains("CAST((d.attributes ->> CAST(? AS text)) AS numeric) END) >= CAST(? AS numeric)"), f.sql());
        assertEquals(List.of("memoryMb", "memoryMb", "512"), f.params());
        FilterError e = refused("attribute.memoryMb=gt=big");
        assertEquals(22, e.offset());
        assertTrue(e.getMessage().contains("not a number"), e.getMessage());
    }

    @Test
    void tagsAreExistsProbes() {
        assertEquals("EXISTS (SELECT 1 FROM device_tag t WHERE t.device_id = d.id AND t.tag = ?)", compile("tag==store").sql());
        assertEquals("NOT EXISTS (SELECT 1 FROM device_tag t WHERE t.device_id = d.id AND t.tag = ?)", compile("tag!=store").sql());
        assertEquals("EXISTS (SELECT 1 FROM device_tag t WHERE t.device_id = d.id AND t.tag = ANY(?))",
                compile("tag=in=(store,kiosk)").sql());
        assertEquals("NOT EXISTS (SELECT 1 FROM device_tag t WHERE t.device_id = d.id AND t.tag = ANY(?))",
                compile("tag=out=(store,kiosk)").sql());
    }

    @Test
    void timesAreAbsoluteEpochMillisOrRelativeToNow() {
        assertEquals("d.last_seen_at < ?", compile("lastSeen=lt=-P1D").sql());
        assertEquals(Timestamp.from(Instant.parse("2026-03-09T12:00:00Z")), compile("lastSeen=lt=-P1D").params().get(0));
        assertEquals(Timestamp.from(Instant.parse("2026-03-10T06:00:00Z")),
                compile("lastControllerRequestAt>=-PT6H").params().get(0));
        assertEquals(Timestamp.from(Instant.parse("2026-01-02T03:04:05Z")),
                compile("createdAt=gt=2026-01-02T04:04:05+01:00").params().get(0));
        assertEquals(Timestamp.from(Instant.ofEpochMilli(1700000000000L)), compile("createdAt==1700000000000").params().get(0));
        assertEquals(Timestamp.from(Instant.parse("2026-02-01T00:00:00Z")), compile("createdAt<2026-02-01").params().get(0));
    }

    @Test
    void installedVersionsResolveToVersionIds() {
        DeviceFilter lt = compile("installed.detector=lt=2.0.0");
        assertEquals("EXISTS (SELECT 1 FROM installed_model i WHERE i.device_id = d.id AND i.model_id = ?"
                + " AND i.version_id = ANY(?))", lt.sql());
        assertEquals(7L, lt.params().get(0));
        assertArrayEquals(new Long[] {11L, 12L}, (Long[]) lt.params().get(1));
        assertArrayEquals(new Long[] {13L, 14L}, (Long[]) compile("installed.detector==2.*").params().get(1));
        // a pre-release sorts before its release
        assertArrayEquals(new Long[] {13L, 14L}, (Long[]) compile("installed.detector>=2.0.0").params().get(1));
        assertArrayEquals(new Long[] {11L, 13L}, (Long[]) compile("installed.detector=in=(1.0.0,2.0.0)").params().get(1));
        assertArrayEquals(new Long[] {}, (Long[]) compile("installed.detector==9.9.9").params().get(1));
        assertEquals("EXISTS (SELECT 1 FROM installed_model i WHERE i.device_id = d.id AND i.model_id = ?)",
                compile("installed.detector==*").sql());
        assertEquals("NOT EXISTS (SELECT 1 FROM installed_model i WHERE i.device_id = d.id AND i.model_id = ?)",
                compile("installed.detector!=*").sql());
        assertTrue(compile("installed.detector!=1.0.0").sql().startsWith("NOT EXISTS"));
    }

    @Test
    void theIssueExampleCompiles() {
        DeviceFilter f = compile("attribute.arch==aarch64;tag=in=(store,kiosk);installed.detector=lt=2.0.0");
        assertTrue(f.sql().startsWith("(d.attributes @> CAST(? AS jsonb) AND EXISTS"), f.sql());
        assertEquals(4, f.params().size());
    }

    @Test
    void valuesAreAlwaysParametersNeverSql() {
        DeviceFilter f = compile("name=='x\\' OR 1=1 --';attribute.a==\"'); DROP TABLE device; --\"");
        assertTrue(!f.sql().contains("DROP") && !f.sql().contains("1=1"), f.sql());
        assertEquals("x' OR 1=1 --", f.params().get(0));
        assertEquals("{\"a\":\"'); DROP TABLE device; --\"}", f.params().get(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // filter                               | offset | words the message holds
            "atribute.arch==x                       | 0      | unknown selector 'atribute.arch' at offset 0; did you mean 'attribute.arch'",
            "tag==a;controlerId==x                  | 7      | did you mean 'controllerId'",
            "bogus==1                               | 0      | unknown selector 'bogus'",
            "tag=like=a                             | 3      | unknown operator '=like='",
            "tag=~a                                 | 3      | unknown operator '=~'",
            "tag!a                                  | 3      | unknown operator '!a'",
            "tag                                    | 3      | expected an operator after 'tag'",
            "tag=lt=a                               | 3      | operator =lt= at offset 3 does not apply to 'tag'",
            "(tag==a;name==b                        | 15     | expected ')' at offset 15 to close the '(' at offset 0",
            "tag==a)                                | 6      | ')' at offset 6 closes no '('",
            "tag==                                  | 5      | empty value",
            "tag==;name==b                          | 5      | empty value",
            "tag==''                                | 5      | empty value at offset 5",
            "tag=='abc                              | 5      | has no closing '",
            "tag==a b                               | 7      | found 'b'",
            "tag==(a,b)                             | 5      | belongs to =in= or =out=",
            "tag=in=(a,b                            | 11     | expected ',' or ')'",
            "lastSeen=lt=yesterday                  | 12     | 'yesterday' at offset 12 is not a time",
            "lastSeen=lt=+300000-01-01T00:00:00Z    | 12     | at offset 12 is outside the times a filter can compare",
            "lastSeen=gt=-9999-01-01T00:00:00Z      | 12     | at offset 12 is outside the times a filter can compare",
            "lastSeen=lt=999999999999999            | 12     | at offset 12 is outside the times a filter can compare",
            "lastSeen=gt=-P3650000D                 | 12     | at offset 12 is outside the times a filter can compare",
            "lastSeen=gt=-PT2562047788015215H       | 12     | '-PT2562047788015215H' at offset 12 is not a time",
            "tag==a;lastSeen=ge=P100000000D         | 19     | at offset 19 is outside the times a filter can compare",
            "lastSeen=lt=-P1M                       | 12     | is not a time",
            "lastSeen=in=(1,2)                      | 8      | operator =in= at offset 8 does not apply to 'lastSeen'",
            "status==sleeping                       | 8      | status 'sleeping' at offset 8 is not one of unknown, registered",
            "installed.nosuch==1.0.0                | 10     | no model 'nosuch'",
            "installed.detector=lt=two              | 22     | 'two' at offset 22 is not a version",
            "attribute.==x                          | 0      | needs a name after 'attribute.'",
            "''                                     | 0      | expected a selector",
            ";                                      | 0      | expected a selector",
    })
    void refusesWithTheOffsetOfTheBadToken(String filter, int offset, String words) {
        FilterError e = refused(filter);
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(words.strip()), e.getMessage());
    }

    @Test
    void refusesWhatIsTooLargeOrTooDeep() {
        assertEquals(FilterSyntax.MAX_LENGTH, refused("tag==" + "a".repeat(FilterSyntax.MAX_LENGTH)).offset());
        String deep = "(".repeat(FilterSyntax.MAX_DEPTH + 1) + "tag==a" + ")".repeat(FilterSyntax.MAX_DEPTH + 1);
        FilterError tooDeep = refused(deep);
        assertEquals(FilterSyntax.MAX_DEPTH, tooDeep.offset());
        assertTrue(tooDeep.getMessage().contains("deeper than"), tooDeep.getMessage());
        compile("(".repeat(FilterSyntax.MAX_DEPTH) + "tag==a" + ")".repeat(FilterSyntax.MAX_DEPTH));
        String many = String.join(";", java.util.Collections.nCopies(FilterSyntax.MAX_COMPARISONS + 1, "tag==a"));
        FilterError tooMany = refused(many);
        assertEquals(7 * FilterSyntax.MAX_COMPARISONS, tooMany.offset());
        assertTrue(tooMany.getMessage().contains("more than " + FilterSyntax.MAX_COMPARISONS + " comparisons"));
        // "tag=in=(" then values "a" joined by ","; the comma before value MAX_VALUES + 1 is refused
        String list = "tag=in=(" + String.join(",", java.util.Collections.nCopies(FilterSyntax.MAX_VALUES + 1, "a")) + ")";
        FilterError tooLong = refused(list);
        assertEquals("tag=in=(".length() + 2 * FilterSyntax.MAX_VALUES - 1, tooLong.offset());
        assertTrue(tooLong.getMessage().contains("more than " + FilterSyntax.MAX_VALUES + " values"));
        compile("tag=in=(" + String.join(",", java.util.Collections.nCopies(FilterSyntax.MAX_VALUES, "a")) + ")");
    }

    @Test
    void unknownSelectorsListTheAcceptedOnes() {
        FilterError e = refused("colour==red");
        assertEquals(FilterCompiler.SELECTORS, e.accepted());
        assertEquals(FilterSyntax.Op.ACCEPTED, refused("tag=has=x").accepted());
    }
}
