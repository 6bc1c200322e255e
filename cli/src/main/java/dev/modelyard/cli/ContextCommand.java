package dev.modelyard.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "context", mixinStandardHelpOptions = true,
        description = "The contexts stored by 'modelyard login': list, choose, show, delete. Nothing here calls a server.",
        subcommands = {ContextCommand.Ls.class, ContextCommand.Use.class, ContextCommand.Show.class, ContextCommand.Delete.class})
final class ContextCommand {

    /** A context as listed: never the token, only where it comes from. */
    record View(String name, boolean current, String server, String tenant, String token) {
        static View of(Config c, Config.Entry e) {
            return new View(e.name(), e.name().equals(c.currentContext()), e.server(), e.tenant(), e.tokenSource());
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List the contexts; * marks the current one.")
    static final class Ls extends Action {
        @Mixin
        OutputFormat.Option output;

        @Override
        void run(Main.Context context) throws Exception {
            Config c = Config.load(Config.path(context.env()));
            List<View> views = c.contexts().stream().map(e -> View.of(c, e)).toList();
            output.orElse(OutputFormat.TABLE).print(context.out(), views, () -> {
                Table t = Table.of("current", "name", "server", "tenant", "token");
                for (View v : views) t.row(v.current() ? "*" : "", v.name(), v.server(), v.tenant(), v.token());
                return views.isEmpty() ? "no contexts; create one with 'modelyard login'" : t.toString();
            });
        }
    }

    @Command(name = "use", mixinStandardHelpOptions = true, description = "Make NAME the current context.")
    static final class Use extends Action {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(Main.Context context) throws Exception {
            Path file = Config.path(context.env());
            Config c = Config.load(file);
            c.require(name);
            c.use(name).save(file);
            context.out().println("current context: " + name);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a context (default: the current one).")
    static final class Show extends Action {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
        String name;

        @Mixin
        OutputFormat.Option output;

        @Override
        void run(Main.Context context) throws Exception {
            Config c = Config.load(Config.path(context.env()));
            String which = name != null ? name : c.currentContext();
            if (which == null) throw new CliException("no current context; choose one with 'modelyard context use NAME'");
            View v = View.of(c, c.require(which));
            output.orElse(OutputFormat.TABLE).print(context.out(), v, () -> {
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"name", v.name() + (v.current() ? " (current)" : "")});
                rows.add(new String[] {"server", v.server()});
                rows.add(new String[] {"tenant", v.tenant() == null ? "(the token's own)" : v.tenant()});
                rows.add(new String[] {"token", v.token()});
                return Table.details(rows);
            });
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true, description = "Forget a context (a token file it names is not touched).")
    static final class Delete extends Action {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(Main.Context context) throws Exception {
            Path file = Config.path(context.env());
            Config c = Config.load(file);
            c.require(name);
            c.without(name).save(file);
            context.out().println("deleted context: " + name);
        }
    }
}
