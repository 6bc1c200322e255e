package dev.modelyard.cli;

import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.TrustStore;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "trust-bundle", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Verify a chain of root files like 'root verify' and write the newest one, byte for byte, "
                + "as the trust bundle devices are provisioned with.",
                "An expired newest root is refused: a device could verify no release against it."})
final class TrustBundleCommand extends Action {

    @Option(names = "--chain", required = true, arity = "1..*", paramLabel = "FILE",
            description = "Root files, oldest first (1.root.json 2.root.json …).")
    List<Path> chain;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The trust bundle to write (e.g. trust-bundle.json).")
    Path out;

    @Override
    void run(Main.Context context) throws Exception {
        TrustStore store = RootCommand.chain(chain);
        RootMetadata root = store.root();
        if (context.clock().instant().isAfter(root.expires())) {
            throw new CliException("root v" + root.version() + " expired at " + Io.time(root.expires())
                    + "; sign a newer root with 'root next' before provisioning devices");
        }
        // Unchanged: the exact bytes that were verified are what devices get.
        Io.write(out, Io.read(chain.get(chain.size() - 1)));
        context.out().println("wrote " + out + " (root v" + root.version() + ", expires " + Io.time(root.expires()) + ")");
    }
}
