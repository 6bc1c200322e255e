package dev.modelyard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A leaf command: runs with the context of the {@link Main} it was started from. */
abstract class Action implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        Main.Context context = ((Main) spec.root().userObject()).context;
        return execute(context);
    }

    /** Runs and answers the exit code: 0 unless a command has a verdict of its own (e.g. a rollout that failed). */
    int execute(Main.Context context) throws Exception {
        run(context);
        return 0;
    }

    /** Does the work; any exception becomes a one-line error and exit code 1. */
    abstract void run(Main.Context context) throws Exception;
}
