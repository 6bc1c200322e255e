package dev.modelyard.cli;

import dev.modelyard.client.Deployments;
import dev.modelyard.client.Devices;
import dev.modelyard.client.ModelyardClient;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Register devices and assign versions to them. Answers are printed as JSON.",
        subcommands = {DevicesCommand.Create.class, DevicesCommand.List.class, DevicesCommand.Assign.class})
final class DevicesCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Register a device. The answer carries its DDI token, shown this once.")
    static final class Create extends RemoteAction {
        @Parameters(index = "0", paramLabel = "CONTROLLER_ID")
        String controllerId;

        @Option(names = "--name", paramLabel = "TEXT")
        String name;

        @Option(names = "--tag", paramLabel = "TAG", description = "A tag to select the device by; repeatable.")
        Set<String> tags;

        @Override
        Object call(ModelyardClient client) {
            return client.devices().create(new Devices.NewDevice(controllerId, name, null, tags, null));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false, description = "List devices (one page).")
    static final class List extends RemoteAction {
        @Option(names = "--tag", paramLabel = "TAG")
        String tag;

        @Mixin
        PageOption page;

        @Override
        Object call(ModelyardClient client) {
            return client.devices().list(new Devices.Filter(null, tag, null, page.page, null));
        }
    }

    /** One device or every device with a tag: exactly one of the two. */
    static final class Whom {
        @Option(names = "--device", required = true, paramLabel = "CONTROLLER_ID")
        String device;

        @Option(names = "--tag", required = true, paramLabel = "TAG")
        String tag;
    }

    @Command(name = "assign", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Assign a version (or an alias) of a model to one device or to every device with a tag.")
    static final class Assign extends RemoteAction {
        @Mixin
        VersionRef ref;

        @ArgGroup(multiplicity = "1")
        Whom whom;

        @Option(names = "--type", paramLabel = "TYPE", description = "forced (default), soft or downloadonly")
        String type;

        @Override
        Object call(ModelyardClient client) {
            return client.deployments().assign(new Deployments.Assign(ref.model, ref.version, whom.device, null, whom.tag, type, null));
        }
    }
}
