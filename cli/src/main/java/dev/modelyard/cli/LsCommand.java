package dev.modelyard.cli;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Models;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Page;
import dev.modelyard.client.Versions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "ls", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List models; with MODEL its versions and the aliases on them; with MODEL VERSION the version's artifacts.",
                "Every page is read: the list is complete."})
final class LsCommand extends Action {

    static final int PAGE = 100;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION")
    String version;

    @Mixin
    Remote remote;

    @Mixin
    OutputFormat.Option output;

    /** A version as listed: with the aliases that point at it. */
    record VersionRow(String model, String version, String status, long artifacts, List<String> aliases,
                      java.time.Instant publishedAt, java.time.Instant createdAt) {
    }

    @Override
    void run(Main.Context context) throws Exception {
        ModelyardClient client = remote.client(context);
        OutputFormat format = output.orElse(OutputFormat.TABLE);
        if (model == null) {
            List<Models.Model> models = all(p -> client.models().list(new Models.Filter(null, null, null, null, p, PAGE)));
            format.print(context.out(), models, () -> {
                Table t = Table.of("name", "latest", "aliases", "task", "updated");
                for (Models.Model m : models) t.row(m.name(), m.latestVersion(), Describe.map(m.aliases()), m.task(), Describe.time(m.updatedAt()));
                return models.isEmpty() ? "no models" : t.toString();
            });
        } else if (version == null) {
            Map<String, List<String>> aliases = new TreeMap<>();
            for (Models.Alias a : client.models().aliases(model)) aliases.computeIfAbsent(a.version(), v -> new ArrayList<>()).add(a.name());
            List<VersionRow> rows = all(p -> client.versions().list(model, null, p, PAGE)).stream()
                    .map(v -> new VersionRow(v.model(), v.version(), v.status(), v.artifactCount(), aliases.getOrDefault(v.version(), List.of()),
                            v.publishedAt(), v.createdAt()))
                    .toList();
            format.print(context.out(), rows, () -> {
                Table t = Table.of("version", "status", "artifacts", "aliases", "published");
                for (VersionRow v : rows) t.row(v.version(), v.status(), v.artifacts(), String.join(", ", v.aliases()), Describe.time(v.publishedAt()));
                return rows.isEmpty() ? "no versions of " + model : t.toString();
            });
        } else {
            List<Artifacts.Artifact> artifacts = all(p -> client.artifacts().list(model, version,
                    new Artifacts.Filter(null, null, null, null, null, null, p, PAGE)));
            format.print(context.out(), artifacts, () -> artifacts.isEmpty() ? "no artifacts in " + model + " " + version
                    : Describe.artifactTable(artifacts));
        }
    }

    /** Every item, page by page, until the total is reached (or a page comes back short). */
    static <T> List<T> all(IntFunction<Page<T>> page) {
        List<T> items = new ArrayList<>();
        for (int p = 0; ; p++) {
            Page<T> got = page.apply(p);
            items.addAll(got.items());
            if (got.items().isEmpty() || items.size() >= got.total()) return items;
        }
    }
}
