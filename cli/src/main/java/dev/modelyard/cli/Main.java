package dev.modelyard.cli;

import dev.modelyard.client.ApiProblemException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code modelyard} command: offline key tooling for the root of trust, the registry's
 * management API through the API client, and the check of a server's audit trail. Every command
 * ends with exit code 0 on success, 1 on a verification or API failure (one line on stderr, and a
 * hint line for a refusal whose code has one) and 2 for a command line that cannot be parsed;
 * {@code audit verify} answers 1 for a broken chain and 2 for any failure to check it.
 */
@Command(name = "modelyard",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
                "Offline key tooling for Modelyard: root and release keys, signed root metadata "
                        + "(rotation, revocation), the trust bundle devices are provisioned with, "
                        + "and release verification; and the registry's models, artifacts and devices.",
                "Passphrases: every command that unlocks keys takes one passphrase, from "
                        + "--passphrase-file (first line) or --passphrase-env, and uses it for all of its keys.",
                "Registry commands: --server URL (or " + Remote.SERVER_ENV + ") and the API token from --token-file "
                        + "(first line) or " + Remote.TOKEN_ENV + "; refusals print the server's error code.",
                "Contexts: 'modelyard login' checks and stores a server, tenant and token reference; "
                        + "every registry command takes --context, and --server/--token-file or the environment variables win over it.",
                "GitOps: 'git-source' sets up the git repositories the server keeps the tenant converged to, syncs them and shows their status.",
                "Output: --output table (for people), json or yaml (for scripts) on every command that prints data.",
                "'audit verify' checks a server's audit trail (exit 0 intact, 1 broken, 2 or more: could not check)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:refused or failed (the server's refusal, a failed check, a rollout that did not succeed)",
                "2:usage error (unknown option, missing argument)"},
        subcommands = {KeysCommand.class, RootCommand.class, TrustBundleCommand.class, VerifyCommand.class,
                ModelsCommand.class, ArtifactsCommand.class, DevicesCommand.class, TokensCommand.class, ReleaseCommand.class,
                AuditCommand.class, LoginCommand.class, ContextCommand.class, PushCommand.class, PullCommand.class,
                LsCommand.class, DescribeCommand.class, PublishCommand.class, AliasCommand.class, RolloutCommand.class,
                PlanCommand.class, ApplyCommand.class, GitSourceCommand.class, CompletionCommand.class},
        sortOptions = false)
public final class Main {

    /** Exit code of a command line that could not be parsed. */
    static final int USAGE = 2;

    /** What a command may use of the world outside its arguments; replaceable in tests. */
    record Context(PrintStream out, PrintStream err, Function<String, String> env, Clock clock) {
    }

    final Context context;

    private Main(Context context) {
        this.context = context;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line in-process and returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, System::getenv, Clock.systemUTC());
    }

    static int run(String[] args, PrintStream out, PrintStream err, Function<String, String> env, Clock clock) {
        PrintWriter outWriter = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        try {
            CommandLine cli = new CommandLine(new Main(new Context(out, err, env, clock)));
            cli.setOut(outWriter);
            cli.setErr(errWriter);
            cli.setParameterExceptionHandler((e, ignored) -> {
                String command = e.getCommandLine().getCommandSpec().qualifiedName();
                errWriter.println("error: " + oneLine(usageError(e)) + " (see '" + command + " --help')");
                return USAGE;
            });
            cli.setExecutionExceptionHandler((e, command, parsed) -> {
                errWriter.println(describe(e));
                return 1;
            });
            return cli.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
            out.flush();
            err.flush();
        }
    }

    /** A misspelt option explains a missing one, so it is reported first. */
    private static String usageError(CommandLine.ParameterException e) {
        CommandLine.ParseResult parsed = e.getCommandLine().getParseResult();
        if (!(e instanceof CommandLine.UnmatchedArgumentException) && parsed != null && !parsed.unmatched().isEmpty()) {
            return "unknown option or argument: " + String.join(" ", parsed.unmatched());
        }
        return e.getMessage();
    }

    /** The one line reported for a failed command. */
    static String describe(Exception e) {
        if (e instanceof Refused r) return "refused: " + r.reason() + ": " + oneLine(r.getMessage());
        if (e instanceof ApiProblemException p) {
            String message = p.detail() != null ? p.detail() : p.problem().title() != null ? p.problem().title() : "refused";
            String hint = Hints.of(p);
            return "error: " + oneLine(message) + " [code: " + (p.code() == null ? "none" : p.code()) + ", HTTP " + p.status() + "]"
                    + (hint == null ? "" : "\nhint: " + hint);
        }
        if (e instanceof UncheckedIOException io) return "error: " + oneLine(io.getMessage());
        if (e instanceof CliException) return "error: " + oneLine(e.getMessage());
        if (e instanceof IOException io) return "error: " + oneLine(Io.describe(io));
        if (e instanceof IllegalArgumentException) return "error: " + oneLine(e.getMessage());
        return "error: " + oneLine(e.toString());
    }

    static String oneLine(String message) {
        return message == null ? "(no message)" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** The version from the runnable jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"modelyard " + (version == null ? "(development build)" : version)};
        }
    }
}
