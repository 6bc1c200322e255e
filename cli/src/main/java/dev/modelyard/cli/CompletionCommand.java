package dev.modelyard.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script for bash or zsh.",
                "bash: source <(modelyard completion bash)   zsh: autoload -U +X bashcompinit && bashcompinit; "
                        + "source <(modelyard completion zsh)"})
final class CompletionCommand extends Action {

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    @Override
    void run(Main.Context context) throws Exception {
        if (!"bash".equals(shell) && !"zsh".equals(shell)) throw new CliException("SHELL: '" + shell + "' is not supported; use bash or zsh");
        // picocli's script serves both: zsh runs it through bashcompinit.
        CommandLine root = spec.root().commandLine();
        context.out().print(AutoComplete.bash("modelyard", root));
        context.out().flush();
    }
}
