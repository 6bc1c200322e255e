package dev.modelyard.cli;

import dev.modelyard.client.Models;
import dev.modelyard.client.ModelyardClient;
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
    static final class Create extends RemoteAction {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        @Option(names = "--task", paramLabel = "TASK", description = "e.g. image-classification")
        String task;

        @Option(names = "--framework", paramLabel = "NAME", description = "e.g. pytorch")
        String framework;

        @Override
        Object call(ModelyardClient client) {
            return client.models().create(new Models.NewModel(name, description, task, framework, null));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false, description = "List models (one page).")
    static final class List extends RemoteAction {
        @Option(names = "--q", paramLabel = "TEXT", description = "Only models whose name starts with TEXT.")
        String q;

        @Mixin
        PageOption page;

        @Override
        Object call(ModelyardClient client) {
            return client.models().list(new Models.Filter(q, null, null, null, page.page, null));
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show a model, or a version of it.")
    static final class Get extends RemoteAction {
        @Parameters(index = "0", paramLabel = "MODEL")
        String model;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION")
        String version;

        @Override
        Object call(ModelyardClient client) {
            return version == null ? client.models().get(model) : client.versions().get(model, version);
        }
    }

    @Command(name = "create-version", mixinStandardHelpOptions = true, sortOptions = false, description = "Create a draft version.")
    static final class CreateVersion extends RemoteAction {
        @Mixin
        VersionRef ref;

        @Option(names = "--changelog", paramLabel = "TEXT")
        String changelog;

        @Override
        Object call(ModelyardClient client) {
            return client.versions().create(ref.model, new Versions.NewVersion(ref.version, changelog, null, null, null, null));
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Sign and release a draft version.")
    static final class Publish extends RemoteAction {
        @Mixin
        VersionRef ref;

        @Override
        Object call(ModelyardClient client) {
            return client.versions().publish(ref.model, ref.version);
        }
    }
}
