package dev.modelyard.server.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The table of error codes in docs/api-errors.md stays true to {@link ErrorCode}. */
class ErrorCodeTableTest {

    private static final Path TABLE = Path.of("..", "docs", "api-errors.md");
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9-]+)` \\| (\\d{3}) \\|", Pattern.MULTILINE);

    @Test
    void everyCodeIsDocumentedWithItsStatusAndNothingElseIs() throws IOException {
        TreeMap<String, Integer> documented = new TreeMap<>();
        Matcher m = ROW.matcher(Files.readString(TABLE, StandardCharsets.UTF_8));
        while (m.find()) documented.put(m.group(1), Integer.parseInt(m.group(2)));

        List<String> wrong = new ArrayList<>();
        for (ErrorCode code : ErrorCode.values()) {
            Integer status = documented.remove(code.wireName());
            if (status == null) wrong.add(code.wireName() + " (" + code.status() + ") is missing from the table");
            else if (status != code.status()) wrong.add(code.wireName() + " is documented as " + status + ", answered as " + code.status());
        }
        documented.keySet().forEach(name -> wrong.add(name + " is in the table but no ErrorCode has that name"));
        assertTrue(wrong.isEmpty(), TABLE + " does not match ErrorCode:\n  " + String.join("\n  ", wrong));
    }

    @Test
    void wireNamesAreKebabCaseAndUnique() {
        Set<String> seen = new HashSet<>();
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(code.wireName().matches("[a-z]+(-[a-z]+)*"), code.wireName());
            assertTrue(seen.add(code.wireName()), "duplicate " + code.wireName());
        }
    }

    /** Statuses raised without a code ({@code new ApiException(status, detail)}, {@code Problem.of(status, …)}). */
    private static final Pattern UNCODED = Pattern.compile("(?:new ApiException|Problem\\.of)\\((\\d{3}),\\s*\"");
    private static final Path SOURCES = Path.of("src", "main", "java");

    /**
     * Every status the server answers, whether named by a code or raised bare in the sources, has a
     * generic code of that same status: a bare status never comes out with a code of another.
     */
    @Test
    void everyStatusHasAGenericCodeOfThatStatus() throws IOException {
        Set<Integer> statuses = new java.util.TreeSet<>(List.of(400, 401, 403, 404, 405, 406, 409, 410, 413, 414, 415, 416,
                422, 423, 431, 500, 503, 507));
        for (ErrorCode code : ErrorCode.values()) statuses.add(code.status());
        try (var files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = UNCODED.matcher(Files.readString(file, StandardCharsets.UTF_8));
                while (m.find()) statuses.add(Integer.parseInt(m.group(1)));
            }
        }
        for (int status : statuses) {
            assertEquals(status, ErrorCode.generic(status).status(), "generic code of " + status);
        }
    }
}
