package dev.modelyard.cli;

import com.fasterxml.jackson.core.JacksonException;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Rollouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rollout", mixinStandardHelpOptions = true,
        description = {"Phased rollouts of a version to a filtered fleet: create, follow and steer them.",
                "ROLLOUT is a rollout's id or its name."},
        subcommands = {RolloutCommand.Create.class, RolloutCommand.Ls.class, RolloutCommand.Status.class, RolloutCommand.Watch.class,
                RolloutCommand.Pause.class, RolloutCommand.Resume.class, RolloutCommand.Approve.class,
                RolloutCommand.Rollback.class, RolloutCommand.Cancel.class})
final class RolloutCommand {

    /** The states a rollout never leaves, and which of them is a success. */
    static final Set<String> FINAL = Set.of("succeeded", "failed", "cancelled", "rolled-back");
    static final String SUCCEEDED = "succeeded";

    private RolloutCommand() {
    }

    /** A rollout's id: the number given, or the one rollout of that name. */
    static long id(ModelyardClient client, String idOrName) throws CliException {
        if (idOrName.matches("[0-9]{1,18}")) return Long.parseLong(idOrName);
        List<Rollouts.Rollout> named = LsCommand.all(p -> client.rollouts().list(null, p, LsCommand.PAGE)).stream()
                .filter(r -> idOrName.equals(r.name())).toList();
        if (named.isEmpty()) throw new CliException("no rollout named '" + idOrName + "'; list them with 'modelyard rollout ls'");
        if (named.size() > 1) {
            throw new CliException(named.size() + " rollouts are named '" + idOrName + "' (ids " + String.join(", ",
                    named.stream().map(r -> Long.toString(r.id())).toList()) + "); give the id");
        }
        return named.get(0).id();
    }

    /** A command about one rollout that prints it. */
    abstract static class About extends Action {
        @Parameters(index = "0", paramLabel = "ROLLOUT")
        String rollout;

        @Mixin
        Remote remote;

        @Mixin
        OutputFormat.Option output;

        @Override
        void run(Main.Context context) throws Exception {
            ModelyardClient client = remote.client(context);
            Rollouts.Rollout r = act(client, id(client, rollout));
            output.orElse(OutputFormat.TABLE).print(context.out(), r, () -> human(r));
        }

        abstract Rollouts.Rollout act(ModelyardClient client, long id);

        String human(Rollouts.Rollout r) {
            return Describe.rolloutLine(r);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A rollout's state, phases and counts.")
    static final class Status extends About {
        @Override
        Rollouts.Rollout act(ModelyardClient client, long id) {
            return client.rollouts().get(id);
        }

        @Override
        String human(Rollouts.Rollout r) {
            return Describe.rollout(r);
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stop assigning devices; open actions go on.")
    static final class Pause extends About {
        @Override
        Rollouts.Rollout act(ModelyardClient client, long id) {
            return client.rollouts().pause(id);
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Continue a paused rollout.")
    static final class Resume extends About {
        @Override
        Rollouts.Rollout act(ModelyardClient client, long id) {
            return client.rollouts().resume(id);
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
            description = "Approve the rollout, or its phase waiting for approval (someone other than its creator).")
    static final class Approve extends About {
        @Override
        Rollouts.Rollout act(ModelyardClient client, long id) {
            return client.rollouts().approve(id);
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Roll every device the rollout touched back to the version it had before.")
    static final class Rollback extends About {
        @Override
        Rollouts.Rollout act(ModelyardClient client, long id) {
            return client.rollouts().rollback(id);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Stop the rollout and cancel its open actions.")
    static final class Cancel extends About {
        @Override
        Rollouts.Rollout act(ModelyardClient client, long id) {
            return client.rollouts().cancel(id);
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, sortOptions = false, description = "List rollouts, newest first.")
    static final class Ls extends Action {
        @Option(names = "--state", paramLabel = "STATE", description = "Only rollouts in STATE (running, paused, succeeded, …).")
        String state;

        @Mixin
        Remote remote;

        @Mixin
        OutputFormat.Option output;

        @Override
        void run(Main.Context context) throws Exception {
            ModelyardClient client = remote.client(context);
            List<Rollouts.Rollout> all = LsCommand.all(p -> client.rollouts().list(state, p, LsCommand.PAGE));
            output.orElse(OutputFormat.TABLE).print(context.out(), all, () -> {
                Table t = Table.of("id", "name", "model", "version", "state", "devices", "succeeded", "failed", "created");
                for (Rollouts.Rollout r : all) {
                    t.row(r.id(), r.name(), r.model(), r.version(), r.state(), r.totalDevices(),
                            r.counts() == null ? null : r.counts().succeeded(), r.counts() == null ? null : r.counts().failed(),
                            Describe.time(r.createdAt()));
                }
                return all.isEmpty() ? "no rollouts" : t.toString();
            });
        }
    }

    @Command(name = "create", sortOptions = false,
            description = {"Create a rollout from options, or from a file (-f: the API's rollout JSON, or the same as YAML).",
                    "Phases: --phase NAME:SIZE[:BAKE], e.g. --phase canary:2:PT10M --phase rest:100% (default: one phase of 100%)."})
    static final class Create extends Action {
        // No standard -V/--version here: --version is the rollout's model version.
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The rollout as JSON or YAML; options given as well override its fields.")
        Path file;

        @Option(names = "--name", paramLabel = "NAME")
        String name;

        @Option(names = "--model", paramLabel = "MODEL")
        String model;

        @Option(names = "--version", paramLabel = "VERSION", description = "A version or an alias (resolved when the rollout starts).")
        String version;

        @Option(names = "--filter", paramLabel = "RSQL", description = "Which devices, e.g. tag==lab;attribute.arch==aarch64.")
        String filter;

        @Option(names = "--group", paramLabel = "GROUP", description = "A saved device group instead of --filter.")
        String group;

        @Option(names = "--phase", paramLabel = "NAME:SIZE[:BAKE]")
        List<String> phases;

        @Option(names = "--type", paramLabel = "TYPE", description = "forced (default), soft or downloadonly")
        String type;

        @Option(names = "--max-failure-pct", paramLabel = "PCT", description = "Failure budget: the share of failed devices tolerated.")
        Double maxFailurePct;

        @Option(names = "--min-executed", paramLabel = "N", defaultValue = "1", description = "Devices finished before the budget is judged (default: ${DEFAULT-VALUE}).")
        int minExecuted;

        @Option(names = "--on-failure", paramLabel = "ACTION", defaultValue = "pause", description = "pause or rollback when the budget is burnt (default: ${DEFAULT-VALUE}).")
        String onFailure;

        @Option(names = "--approval", description = "The rollout waits for someone else's approval before it starts.")
        boolean approval;

        @Option(names = "--start", description = "Start at once (otherwise it stays a draft).")
        boolean start;

        @Mixin
        Remote remote;

        @Mixin
        OutputFormat.Option output;

        @Override
        void run(Main.Context context) throws Exception {
            Rollouts.NewRollout r = request();
            ModelyardClient client = remote.client(context);
            Rollouts.Rollout created = client.rollouts().create(r);
            output.orElse(OutputFormat.TABLE).print(context.out(), created, () -> "created " + Describe.rolloutLine(created));
        }

        Rollouts.NewRollout request() throws CliException {
            Rollouts.NewRollout base = file == null
                    ? new Rollouts.NewRollout(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)
                    : read(file);
            List<Rollouts.Phase> ph = phases == null ? base.phases() : parsePhases(phases);
            Rollouts.FailureBudget budget = maxFailurePct == null ? base.failureBudget()
                    : Rollouts.FailureBudget.of(maxFailurePct, minExecuted, onFailure);
            Rollouts.NewRollout r = new Rollouts.NewRollout(or(name, base.name()), base.description(), or(model, base.model()),
                    or(version, base.version()), or(filter, base.filter()), or(group, base.group()), or(type, base.type()),
                    base.lowPrecision(), ph, budget, base.rate(), base.schedule(), base.maintenanceWindow(), base.dynamic(),
                    base.maxDevices(), approval ? Boolean.TRUE : base.approval(), start ? Boolean.TRUE : base.start());
            List<String> missing = new ArrayList<>();
            if (r.name() == null) missing.add("--name");
            if (r.model() == null) missing.add("--model");
            if (r.version() == null) missing.add("--version");
            if (r.filter() == null && r.group() == null) missing.add("--filter or --group");
            if (!missing.isEmpty()) throw new CliException("a rollout needs " + String.join(", ", missing) + (file == null ? "" : " (not in " + file + ")"));
            return r;
        }

        private static String or(String option, String fromFile) {
            return option != null ? option : fromFile;
        }

        static Rollouts.NewRollout read(Path file) throws CliException {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            boolean yaml = n.endsWith(".yaml") || n.endsWith(".yml");
            try {
                return (yaml ? OutputFormat.yamlMapper() : OutputFormat.jsonMapper()).readValue(Files.readAllBytes(file), Rollouts.NewRollout.class);
            } catch (JacksonException e) {
                String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
                throw new CliException(file + where + ": not a rollout: " + Main.oneLine(e.getOriginalMessage()));
            } catch (IOException e) {
                throw new CliException(Io.describe(e));
            }
        }

        static List<Rollouts.Phase> parsePhases(List<String> specs) throws CliException {
            List<Rollouts.Phase> out = new ArrayList<>();
            for (String s : specs) {
                String[] p = s.split(":", -1);
                if (p.length < 2 || p.length > 3 || p[0].isBlank() || !p[1].matches("[0-9]+%?")) {
                    throw new CliException("--phase: '" + s + "' is not NAME:SIZE[:BAKE] (SIZE a count or a share like 10%, BAKE like PT10M)");
                }
                Rollouts.Phase phase = p[1].endsWith("%") ? Rollouts.Phase.percent(p[0], Integer.parseInt(p[1].substring(0, p[1].length() - 1)))
                        : Rollouts.Phase.count(p[0], Integer.parseInt(p[1]));
                if (p.length == 3 && !p[2].isBlank()) {
                    try {
                        Duration.parse(p[2]);
                    } catch (DateTimeParseException e) {
                        throw new CliException("--phase: bake '" + p[2] + "' is not an ISO-8601 duration such as PT10M");
                    }
                    phase = phase.bake(p[2]);
                }
                out.add(phase);
            }
            return out;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Follow a rollout until it ends, printing its progress when it changes (and at least once a minute).",
                    "Exit code 0 when it succeeded; 1 when it failed, was rolled back or cancelled, or --timeout passed."})
    static final class Watch extends Action {
        @Parameters(index = "0", paramLabel = "ROLLOUT")
        String rollout;

        @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "5s", description = "Between checks, e.g. 5s, 1m (default: ${DEFAULT-VALUE}).")
        String interval;

        @Option(names = "--timeout", paramLabel = "DURATION", description = "Give up after this long, e.g. 2h (exit 1; the rollout goes on).")
        String timeout;

        @Mixin
        Remote remote;

        @Mixin
        OutputFormat.Option output;

        @Override
        void run(Main.Context context) {
            throw new UnsupportedOperationException("execute answers the exit code");
        }

        @Override
        int execute(Main.Context context) throws Exception {
            Duration every = duration("--interval", interval);
            Duration limit = timeout == null ? null : duration("--timeout", timeout);
            OutputFormat format = output.orElse(OutputFormat.TABLE);
            // Progress lines are for people: on stdout in the table view, on stderr when stdout carries JSON or YAML.
            java.io.PrintStream lines = format == OutputFormat.TABLE ? context.out() : context.err();
            ModelyardClient client = remote.client(context);
            long id = id(client, rollout);
            long started = System.nanoTime();
            long heartbeat = Math.max(1, Duration.ofMinutes(1).toMillis() / Math.max(1, every.toMillis()));
            String last = null;
            for (long polls = 0; ; polls++) {
                Rollouts.Rollout r = client.rollouts().get(id);
                String line = Describe.rolloutLine(r);
                if (!line.equals(last) || polls % heartbeat == 0) {
                    lines.println(Io.time(context.clock().instant()) + " " + line);
                    last = line;
                }
                if (FINAL.contains(r.state())) {
                    if (format != OutputFormat.TABLE) format.print(context.out(), r, null);
                    return SUCCEEDED.equals(r.state()) ? 0 : 1;
                }
                if (limit != null && System.nanoTime() - started > limit.toNanos()) {
                    context.err().println("error: rollout " + id + " is still " + r.state() + " after " + timeout + "; it goes on ('modelyard rollout watch " + id + "' to follow it again)");
                    return 1;
                }
                Thread.sleep(every.toMillis());
            }
        }

        static Duration duration(String option, String text) throws CliException {
            String t = text.strip().toLowerCase(Locale.ROOT);
            try {
                if (t.matches("[0-9]+ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
                if (t.matches("[0-9]+[smhd]")) {
                    long n = Long.parseLong(t.substring(0, t.length() - 1));
                    return switch (t.charAt(t.length() - 1)) {
                        case 's' -> Duration.ofSeconds(n);
                        case 'm' -> Duration.ofMinutes(n);
                        case 'h' -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
                }
                return Duration.parse(text.strip());
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new CliException(option + ": '" + text + "' is not a duration such as 5s, 10m, 2h or PT30S");
            }
        }
    }
}
