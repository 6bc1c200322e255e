package dev.modelyard.cli;

import dev.modelyard.client.Deployments;
import dev.modelyard.client.Devices;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Page;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Register devices and assign versions to them. Answers are printed as JSON.",
        subcommands = {DevicesCommand.Create.class, DevicesCommand.List.class, DevicesCommand.Ls.class, DevicesCommand.Assign.class})
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

    @Command(name = "ls", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"List devices matching a filter, with the count of all that match.",
                    "The filter is RSQL: tag==lab;attribute.arch==aarch64 (';' and, ',' or), or a controller id prefix."})
    static final class Ls extends Action {
        @Option(names = "--filter", paramLabel = "RSQL", description = "Which devices (default: all).")
        String filter;

        @Option(names = "--page", paramLabel = "N", defaultValue = "0", description = "The page, from 0 (default: ${DEFAULT-VALUE}).")
        int page;

        @Option(names = "--page-size", paramLabel = "N", defaultValue = "50", description = "Devices per page (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--all", description = "Every matching device, all pages.")
        boolean all;

        @Mixin
        Remote remote;

        @Mixin
        OutputFormat.Option output;

        @Override
        void run(Main.Context context) throws Exception {
            ModelyardClient client = remote.client(context);
            Page<Devices.Device> answer;
            if (all) {
                java.util.List<Devices.Device> items = LsCommand.all(p -> client.devices().list(new Devices.Filter(filter, null, null, p, LsCommand.PAGE)));
                answer = new Page<>(items, 0, items.size(), items.size());
            } else {
                answer = client.devices().list(new Devices.Filter(filter, null, null, page, size));
            }
            Page<Devices.Device> shown = answer;
            output.orElse(OutputFormat.TABLE).print(context.out(), shown, () -> {
                Table t = Table.of("device", "status", "tags", "arch", "installed", "last seen");
                for (Devices.Device d : shown.items()) {
                    t.row(d.controllerId(), d.status(), d.tags() == null ? null : String.join(",", new java.util.TreeSet<>(d.tags())),
                            d.attributes() == null ? null : d.attributes().get("arch"),
                            d.installed() == null ? null : String.join(", ", d.installed().stream().map(i -> i.model() + " " + i.version()).toList()),
                            Describe.time(d.lastSeenAt()));
                }
                long from = all ? (shown.total() == 0 ? 0 : 1) : (long) shown.page() * size + (shown.items().isEmpty() ? 0 : 1);
                String footer = shown.total() + " matching" + (all || shown.items().isEmpty() ? "" : "; showing " + from + "-"
                        + (from + shown.items().size() - 1) + (from + shown.items().size() - 1 < shown.total() ? " (next: --page " + (page + 1) + ", or --all)" : ""));
                return (shown.items().isEmpty() ? "" : t.toString()) + footer;
            });
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
