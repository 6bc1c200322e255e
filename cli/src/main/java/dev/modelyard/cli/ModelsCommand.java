package dev.modelyard.cli;

import dev.modelyard.client.Models;
import dev.modelyard.client.Versions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = "The model catalogue and versions on a registry. Answers are printed as JSON.",
        subcommands = {ModelsCommand.Create.class, ModelsCommand.List.class, ModelsCommand.Get.class,
                ModelsCommand.CreateVersion.class, ModelsCommand.Publish.class})
final class ModelsCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false, description = "Create a model.")
    static final class Create extends Action {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        @Option(names = "--task", paramLabel = "TASK", description = "e.g. image-classification")
        String task;

        @Option(names = "--framework", paramLabel = "NAME", description = "e.g. pytorch")
        String framework;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            Remote.print(context, remote.client(context).models().create(new Models.NewModel(name, description, task, framework, null)));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false, description = "List models (one page).")
    static final class List extends Action {
        @Option(names = "--q", paramLabel = "TEXT", description = "Only models whose name or description contains TEXT.")
        String q;

        @Option(names = "--page", paramLabel = "N", defaultValue = "0")
        int page;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            Remote.print(context, remote.client(context).models().list(new Models.Filter(q, null, null, null, page, null)));
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a model, or a version of it.")
    static final class Get extends Action {
        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION")
        String version;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            var client = remote.client(context);
            Remote.print(context, version == null ? client.models().get(model) : client.versions().get(model, version));
        }
    }

    @Command(name = "create-version", mixinStandardHelpOptions = true, sortOptions = false, description = "Create a draft version.")
    static final class CreateVersion extends Action {
        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", paramLabel = "VERSION", description = "A semantic version, e.g. 1.2.0")
        String version;

        @Option(names = "--changelog", paramLabel = "TEXT")
        String changelog;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            Remote.print(context, remote.client(context).versions().create(model,
                    new Versions.NewVersion(version, changelog, null, null, null, null)));
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Sign and release a draft version.")
    static final class Publish extends Action {
        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            Remote.print(context, remote.client(context).versions().publish(model, version));
        }
    }
}
