package dev.modelyard.cli;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Devices;
import dev.modelyard.client.Models;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Rollouts;
import dev.modelyard.client.Versions;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Show one object in full: a model, a version (with its artifacts), an artifact, a device or a rollout.",
        subcommands = {DescribeCommand.Model.class, DescribeCommand.Version.class, DescribeCommand.Artifact.class,
                DescribeCommand.Device.class, DescribeCommand.Rollout.class})
final class DescribeCommand {

    /** A describe subcommand: one object, printed in full. */
    abstract static class One extends Action {
        @Mixin
        Remote remote;

        @Mixin
        OutputFormat.Option output;

        @Override
        void run(Main.Context context) throws Exception {
            ModelyardClient client = remote.client(context);
            Object value = fetch(client);
            output.orElse(OutputFormat.TABLE).print(context.out(), value, () -> human(value));
        }

        abstract Object fetch(ModelyardClient client) throws Exception;

        abstract String human(Object value);
    }

    @Command(name = "model", mixinStandardHelpOptions = true, description = "A model: description, labels, aliases, latest version.")
    static final class Model extends One {
        @Parameters(index = "0", paramLabel = "MODEL")
        String name;

        @Override
        Object fetch(ModelyardClient client) {
            return client.models().get(name);
        }

        @Override
        String human(Object value) {
            return Describe.model((Models.Model) value);
        }
    }

    /** A version with its artifacts, so one call shows what devices can get. */
    record VersionDetail(@com.fasterxml.jackson.annotation.JsonUnwrapped Versions.Version version, List<Artifacts.Artifact> artifacts) {
    }

    @Command(name = "version", mixinStandardHelpOptions = true, description = "A version (or an alias): status, metrics, release counter, artifacts.")
    static final class Version extends One {
        @Mixin
        VersionRef ref;

        @Override
        Object fetch(ModelyardClient client) {
            Versions.Version v = client.versions().get(ref.model, ref.version);
            return new VersionDetail(v, LsCommand.all(p -> client.artifacts().list(ref.model, v.version(),
                    new Artifacts.Filter(null, null, null, null, null, null, p, LsCommand.PAGE))));
        }

        @Override
        String human(Object value) {
            VersionDetail d = (VersionDetail) value;
            return Describe.version(d.version(), d.artifacts());
        }
    }

    @Command(name = "artifact", mixinStandardHelpOptions = true, description = "An artifact: digest, size, target, origin and lineage.")
    static final class Artifact extends One {
        @Mixin
        VersionRef ref;

        @Parameters(index = "2", paramLabel = "ARTIFACT", description = "The artifact's file name or id.")
        String artifact;

        @Override
        Object fetch(ModelyardClient client) {
            return client.artifacts().get(ref.model, ref.version, artifact);
        }

        @Override
        String human(Object value) {
            return Describe.artifact((Artifacts.Artifact) value);
        }
    }

    @Command(name = "device", mixinStandardHelpOptions = true, description = "A device: status, tags, attributes, installed models.")
    static final class Device extends One {
        @Parameters(index = "0", paramLabel = "CONTROLLER_ID")
        String id;

        @Override
        Object fetch(ModelyardClient client) {
            return client.devices().get(id);
        }

        @Override
        String human(Object value) {
            return Describe.device((Devices.Device) value);
        }
    }

    @Command(name = "rollout", mixinStandardHelpOptions = true, description = "A rollout: state, phases, counts, failure budget.")
    static final class Rollout extends One {
        @Parameters(index = "0", paramLabel = "ROLLOUT", description = "The rollout's id or name.")
        String rollout;

        @Override
        Object fetch(ModelyardClient client) throws CliException {
            return client.rollouts().get(RolloutCommand.id(client, rollout));
        }

        @Override
        String human(Object value) {
            return Describe.rollout((Rollouts.Rollout) value);
        }
    }
}
