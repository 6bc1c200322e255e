package dev.modelyard.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The README's table of roles × permissions says what {@link Role} grants, row by row. */
class RoleTableTest {

    private static final Path README = Path.of("..", "README.md");

    @Test
    void readmeTableIsTheBuiltInRoles() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int header = lines.indexOf("| resource (actions) | viewer | publisher | operator | admin | system-admin |");
        List<String> roles = Arrays.stream(Role.values()).map(Role::wireName).toList();
        assertEquals(List.of("viewer", "publisher", "operator", "admin", "system-admin"), roles,
                "the table's columns are the built-in roles in order");

        Map<String, Set<String>> documented = new LinkedHashMap<>();
        Set<String> resources = new TreeSet<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            String resource = cells[1].strip().replaceAll("^`([a-z]+)`.*", "$1");
            resources.add(resource);
            for (int r = 0; r < roles.size(); r++) {
                documented.computeIfAbsent(roles.get(r), k -> new TreeSet<>()).addAll(permissions(resource, cells[r + 2].strip()));
            }
        }
        Set<String> allResources = new TreeSet<>();
        Permission.ALL.forEach(p -> allResources.add(Permission.resource(p)));
        assertEquals(allResources, resources, "one row per resource");
        for (Role role : Role.values()) {
            assertEquals(new TreeSet<>(role.permissions()), documented.get(role.wireName()), role.wireName());
        }
    }

    private static List<String> permissions(String resource, String cell) {
        if (cell.equals("—")) return List.of();
        if (cell.equals("all")) return Permission.on(resource);
        List<String> result = new ArrayList<>();
        for (String action : cell.split(",\\s*")) result.add(resource + ":" + action);
        return result;
    }
}
