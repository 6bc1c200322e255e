package dev.modelyard.cli;

import dev.modelyard.client.Manifests;
import picocli.CommandLine.Command;

/** {@code modelyard apply -f DIR}: makes the registry match the manifests, all or nothing. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Make the registry match the manifests: models (description, aliases), target profiles, device groups "
                + "and rollouts are created or updated, and with --prune deleted when this source manages them and the set no "
                + "longer has them. All or nothing; applying the same set again changes nothing.",
                "A rollout that runs is never changed: a difference is reported as a conflict.",
                "Exit code 0: applied; 2 or more: an error, nothing changed; 3: applied, but conflicts were left alone."})
final class ApplyCommand extends ManifestCommand {

    @Override
    int run(Main.Context context, Manifests api, Manifests.Request request) throws Exception {
        Manifests.Applied applied = api.apply(request);
        if (output == OutputFormat.TABLE) {
            printPlan(context, applied.plan(), applied.changed() ? "Applied" : "No changes");
        } else {
            output.print(context.out(), applied, null);
        }
        return applied.plan().changes().stream().anyMatch(c -> "conflict".equals(c.action())) ? CONFLICTS : 0;
    }
}
