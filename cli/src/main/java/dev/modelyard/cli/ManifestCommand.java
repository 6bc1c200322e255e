package dev.modelyard.cli;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Manifests;
import dev.modelyard.manifests.ManifestError;
import dev.modelyard.manifests.ManifestFiles;
import dev.modelyard.manifests.ManifestReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What {@code plan}, {@code diff} and {@code apply} share: reading manifest files (every
 * {@code *.yaml}/{@code *.yml} under a folder), checking them here with the server's own schemas
 * before anything is sent, and printing a plan. Exit codes fit scripts: {@code plan}/{@code diff}
 * 0 no change, 1 changes, 2 or more an error (as {@code kubectl diff}); {@code apply} 0 done,
 * 2 or more an error, 3 done but conflicts were left alone.
 */
abstract class ManifestCommand implements Callable<Integer> {

    static final int NO_CHANGES = 0;
    static final int CHANGES = 1;
    static final int ERROR = 2;
    static final int CONFLICTS = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    Remote remote;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "DIR|FILE",
            description = "A manifest file, or a folder whose *.yaml and *.yml files (recursively, hidden folders skipped) are the set; repeatable.")
    List<Path> paths;

    @Option(names = "--prune", description = "Also delete objects this source manages that the set no longer declares.")
    boolean prune;

    @Option(names = "--source", paramLabel = "NAME", description = "Who manages the objects (default: cli); prune deletes only this source's.")
    String source;

    @Option(names = "--revision", paramLabel = "REV", description = "Where the set comes from (e.g. a commit), recorded with each object.")
    String revision;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", converter = OutputFormat.Converter.class,
            description = "table (for people, the default), json or yaml (for scripts).")
    OutputFormat output;

    @Override
    public final Integer call() {
        Main.Context context = ((Main) spec.root().userObject()).context;
        try {
            List<ManifestReader.Source> sources = read();
            ManifestReader.Result local = ManifestReader.get().read(sources);
            if (!local.valid()) {
                for (ManifestError e : local.errors()) context.err().println(e);
                context.err().println("error: " + local.errors().size() + " problem(s) in the manifests; nothing was sent");
                return ERROR;
            }
            List<Manifests.Document> documents = sources.stream().map(s -> new Manifests.Document(s.file(), s.content())).toList();
            return run(context, remote.client(context).manifests(), new Manifests.Request(documents, prune, source, revision));
        } catch (ApiProblemException p) {
            for (ApiProblemException.InputError e : p.errors()) context.err().println(e);
            context.err().println(Main.describe(p));
            return ERROR;
        } catch (Exception e) {
            context.err().println(Main.describe(e));
            return ERROR;
        }
    }

    abstract int run(Main.Context context, Manifests api, Manifests.Request request) throws Exception;

    private List<ManifestReader.Source> read() throws Exception {
        List<ManifestReader.Source> out = new ArrayList<>();
        // files are named as the command line gave them, so errors point where the user looks
        for (Path p : paths) out.addAll(ManifestFiles.read(p, null));
        if (out.isEmpty()) throw new CliException("no *.yaml or *.yml files in " + paths.stream().map(Path::toString).collect(Collectors.joining(", ")));
        return out;
    }

    /** The plan for people: one line per change (unchanged objects only counted), then a summary. */
    static void printPlan(Main.Context context, Manifests.Plan plan, String verb) {
        for (Manifests.Change c : plan.changes()) {
            String what = c.kind() + " " + c.name();
            switch (c.action()) {
                case "create" -> context.out().println("+ create " + what);
                case "update" -> context.out().println("~ update " + what + differences(c));
                case "delete" -> context.out().println("- delete " + what + (c.note() == null ? "" : " (" + c.note() + ")"));
                case "conflict" -> context.out().println("! conflict " + what + differences(c) + ": " + c.note());
                default -> {
                }
            }
            if ("Rollout".equals(c.kind()) && c.devices() != null && !"unchanged".equals(c.action()) && !"delete".equals(c.action())) {
                context.out().println("  Rollout " + c.name() + " would reach " + String.format(java.util.Locale.ROOT, "%,d", c.devices()) + " device"
                        + (c.devices() == 1 ? "" : "s"));
            }
        }
        context.out().println(verb + ": " + count(plan, "create") + " to create, " + count(plan, "update") + " to update, "
                + count(plan, "delete") + " to delete, " + count(plan, "unchanged") + " unchanged"
                + (count(plan, "conflict") > 0 ? ", " + count(plan, "conflict") + " in conflict" : "") + ".");
    }

    private static String differences(Manifests.Change c) {
        if (c.differences() == null || c.differences().isEmpty()) return "";
        return c.differences().stream().map(d -> d.path() + ": " + show(d.from()) + " -> " + show(d.to()))
                .collect(Collectors.joining(", ", " (", ")"));
    }

    private static String show(com.fasterxml.jackson.databind.JsonNode v) {
        if (v == null || v.isNull()) return "(none)";
        return v.toString();
    }

    private static long count(Manifests.Plan plan, String action) {
        return plan.changes().stream().filter(c -> action.equals(c.action())).count();
    }
}
