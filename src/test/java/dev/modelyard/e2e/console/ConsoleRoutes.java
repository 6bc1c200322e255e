package dev.modelyard.e2e.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The console's pages as the console itself lists them (its route table, {@code routes.js}), with
 * their parameters filled from a seeded tenant: the cross-page tests visit every page a section
 * declares, so a page that lands is covered without anyone adding it here.
 */
final class ConsoleRoutes {

    /**
     * One page: its route pattern, the address visited, its title, its section, the permission it
     * needs as the console says it ("a or b"; null for none; for a page closed to the signed-in token,
     * the reason its page shows) and whether the signed-in token may open it.
     */
    record Page(String pattern, String route, String title, String section, String permission, boolean allowed) {
        /** A file name for its screenshots. */
        String shot() {
            String name = route.replaceFirst("^#/?", "").replaceAll("[^A-Za-z0-9.-]+", "_");
            return name.isEmpty() ? "dashboard" : name;
        }
    }

    /**
     * The parameter of a route segment ({@code :x}) named by the segment before it, e.g.
     * {@code /models/:model/versions/:version}, {@code /rollouts/:id} or {@code /git-sources/:name/edit}; values from {@code params}.
     */
    private static final Map<String, String> PARAM_OF = Map.ofEntries(
            Map.entry("models", "model"), Map.entry("versions", "version"), Map.entry("devices", "device"),
            Map.entry("rollouts", "rollout"), Map.entry("jobs", "job"), Map.entry("profiles", "profile"),
            Map.entry("roles", "role"), Map.entry("tenants", "tenant"), Map.entry("git-sources", "gitSource"));

    private ConsoleRoutes() {
    }

    /** Every page of the console, read from the console loaded in {@code browser} (signed in). */
    @SuppressWarnings("unchecked")
    static List<Page> all(ConsoleBrowser browser, Map<String, String> params) {
        List<Map<String, Object>> routes = (List<Map<String, Object>>) browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const base = location.href.split('#')[0];
                Promise.all([import(new URL('routes.js', base).href), import(new URL('lib/session.js', base).href)])
                  .then(([m, s]) => done(m.allRoutes.map(r => ({path: r.path, title: r.title, section: r.section,
                      permission: m.routeRefusal(r) || (r.permission ? [].concat(r.permission).join(' or ') : null),
                      allowed: m.routeAllowed(r)}))))
                  .catch(e => done([{error: String(e)}]));
                """);
        List<Page> pages = new ArrayList<>();
        for (Map<String, Object> r : routes) {
            if (r.containsKey("error")) throw new AssertionError("could not read the console's routes: " + r.get("error"));
            String pattern = (String) r.get("path");
            pages.add(new Page(pattern, "#" + fill(pattern, params), (String) r.get("title"), (String) r.get("section"),
                    (String) r.get("permission"), Boolean.TRUE.equals(r.get("allowed"))));
        }
        return pages;
    }

    private static String fill(String pattern, Map<String, String> params) {
        String[] segments = pattern.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (!segments[i].startsWith(":")) continue;
            String before = i > 0 ? segments[i - 1] : "";
            String param = PARAM_OF.getOrDefault(before, segments[i].substring(1));
            String value = params.get(param);
            if (value == null) {
                throw new AssertionError("the cross-page tests do not know what to put for " + segments[i] + " in " + pattern
                        + ": seed one in ConsoleTenant and name it in ConsoleRoutes.PARAM_OF / ConsoleTenant.params()");
            }
            segments[i] = value;
        }
        return String.join("/", segments);
    }
}
