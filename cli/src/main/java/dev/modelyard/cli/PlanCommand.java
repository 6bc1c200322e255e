package dev.modelyard.cli;

import dev.modelyard.client.Manifests;
import picocli.CommandLine.Command;

/** {@code modelyard plan|diff -f DIR}: what apply would change; exit 0 no change, 1 changes, 2 or more an error. */
@Command(name = "plan", aliases = "diff", mixinStandardHelpOptions = true,
        description = {"Show what 'apply' would change: each object to create, update (with the fields that differ) or delete "
                + "(with --prune), conflicts, and how many devices each rollout would reach. Changes nothing.",
                "The manifests are checked here first (errors as file:line:col: message).",
                "Exit code 0: no changes; 1: changes; 2 or more: an error (as kubectl diff)."})
final class PlanCommand extends ManifestCommand {

    @Override
    int run(Main.Context context, Manifests api, Manifests.Request request) throws Exception {
        Manifests.Plan plan = api.plan(request);
        if (output == OutputFormat.TABLE) {
            printPlan(context, plan, "Plan");
        } else {
            output.print(context.out(), plan, null);
        }
        return plan.hasChanges() ? CHANGES : NO_CHANGES;
    }
}
