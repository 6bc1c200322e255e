package dev.modelyard.cli;

import com.fasterxml.jackson.core.JacksonException;
import dev.modelyard.client.GitSources;
import dev.modelyard.client.ModelyardClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "git-source", mixinStandardHelpOptions = true,
        description = {"GitOps: git repositories whose manifests the server keeps this tenant converged to.",
                "A source names a repository (https://, http:// or file://), a branch and a folder; the server fetches it "
                        + "every interval (or at once on 'sync' or its webhook), applies the manifests of the new commit "
                        + "all-or-nothing, and reports a bad commit with file:line:col and drift of the objects it manages."},
        subcommands = {GitSourceCommand.Ls.class, GitSourceCommand.Show.class, GitSourceCommand.Create.class,
                GitSourceCommand.Update.class, GitSourceCommand.Delete.class, GitSourceCommand.Sync.class,
                GitSourceCommand.ManagedObjects.class})
final class GitSourceCommand {

    static final String FAILED = "failed";

    private GitSourceCommand() {
    }

    /** A commit's short form, as git shows it. */
    static String shortSha(String sha) {
        return sha == null ? null : sha.substring(0, Math.min(12, sha.length()));
    }

    /** A command that talks to the server and prints its answer as a table by default. */
    abstract static class Call extends Action {
        @Mixin
        Remote remote;

        @Mixin
        OutputFormat.Option output;

        OutputFormat format() {
            return output.orElse(OutputFormat.TABLE);
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "List the tenant's git sources with their status, last synced commit and drift.")
    static final class Ls extends Call {
        @Override
        void run(Main.Context context) throws Exception {
            GitSources api = remote.client(context).gitSources();
            List<GitSources.GitSource> all = LsCommand.all(p -> api.list(p, LsCommand.PAGE));
            format().print(context.out(), all, () -> {
                Table t = Table.of("name", "status", "commit", "drift", "objects", "branch", "path", "url");
                for (GitSources.GitSource s : all) {
                    t.row(s.name(), s.status(), shortSha(s.lastSyncedCommit()), s.driftOrEmpty().size(), s.managedObjects(),
                            s.branch(), s.path(), s.url());
                }
                return all.isEmpty() ? "no git sources" : t.toString();
            });
        }
    }

    @Command(name = "describe", aliases = "show", mixinStandardHelpOptions = true, sortOptions = false,
            description = "A source's settings (secrets only by reference), status, last attempt with its errors, and drift.")
    static final class Show extends Call {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(Main.Context context) throws Exception {
            GitSources.GitSource s = remote.client(context).gitSources().get(name);
            format().print(context.out(), s, () -> describe(s));
        }
    }

    @Command(name = "objects", mixinStandardHelpOptions = true, sortOptions = false,
            description = "The objects a source manages and the commit each was last applied from.")
    static final class ManagedObjects extends Call {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(Main.Context context) throws Exception {
            GitSources api = remote.client(context).gitSources();
            List<GitSources.ManagedObject> objects = LsCommand.all(p -> api.objects(name, p, LsCommand.PAGE));
            format().print(context.out(), objects, () -> {
                Table t = Table.of("kind", "name", "commit", "applied");
                for (GitSources.ManagedObject o : objects) t.row(o.kind(), o.name(), shortSha(o.revision()), Describe.time(o.appliedAt()));
                return objects.isEmpty() ? "git source " + name + " manages no objects" : t.toString();
            });
        }
    }

    @Command(name = "delete", aliases = "rm", mixinStandardHelpOptions = true,
            description = "Delete a source. The objects it managed stay, managed by nobody.")
    static final class Delete extends Action {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Mixin
        Remote remote;

        @Override
        void run(Main.Context context) throws Exception {
            remote.client(context).gitSources().delete(name);
            context.out().println("deleted git source " + name);
        }
    }

    /** The settings {@code create} and {@code update} take; an option not given keeps the file's (or the source's) value. */
    abstract static class Settings extends Call {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The source's name (or the file's 'name').")
        String name;

        @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The source as the API's JSON, or the same as YAML; options override its fields.")
        Path file;

        @Option(names = "--url", paramLabel = "URL", description = "The repository: https://, http:// or file://.")
        String url;

        @Option(names = "--branch", paramLabel = "BRANCH")
        String branch;

        @Option(names = "--path", paramLabel = "DIR", description = "The folder inside the repository whose *.yaml and *.yml files are the manifests.")
        String path;

        @Option(names = "--interval", paramLabel = "DURATION", description = "How often to look for a new commit, e.g. 1m (at least 10s).")
        String interval;

        @Option(names = "--role", paramLabel = "ROLE", description = "The role the sync acts with; your token must hold all of its permissions.")
        String role;

        @Option(names = "--drift-policy", paramLabel = "POLICY", description = "revert (put git's state back) or flag (only report) when a managed object is changed outside git.")
        String driftPolicy;

        @Option(names = "--prune", negatable = true, description = "Delete managed objects a commit no longer declares (--no-prune: keep them).")
        Boolean prune;

        @Option(names = "--username", paramLabel = "USER", description = "User name for the repository.")
        String username;

        @Option(names = "--password-ref", paramLabel = "REF", description = "Where the server reads the password or token: env:NAME or file:/path (by default NAME starts with GITSYNC_ and the file is under /run/secrets/gitsync); the value never leaves the server.")
        String passwordRef;

        @Option(names = "--webhook-secret-ref", paramLabel = "REF", description = "Where the server reads the webhook's HMAC secret: env:NAME or file:/path, as for --password-ref.")
        String webhookSecretRef;

        /** The body: {@code base} (a file's or the source's settings) with the options given laid over it. */
        GitSources.GitSourceBody body(GitSources.GitSourceBody base) {
            GitSources.Credentials c = base.credentials();
            GitSources.Credentials credentials = username == null && passwordRef == null ? c
                    : new GitSources.Credentials(or(username, c == null ? null : c.username()), or(passwordRef, c == null ? null : c.passwordRef()));
            return new GitSources.GitSourceBody(or(name, base.name()), or(url, base.url()), or(branch, base.branch()), or(path, base.path()),
                    or(interval, base.interval()), credentials, or(driftPolicy, base.driftPolicy()), prune != null ? prune : base.prune(),
                    or(webhookSecretRef, base.webhookSecretRef()), or(role, base.role()));
        }

        GitSources.GitSourceBody fromFile() throws CliException {
            return file == null ? new GitSources.GitSourceBody(null, null, null, null, null, null, null, null, null, null) : read(file);
        }

        static <T> T or(T option, T base) {
            return option != null ? option : base;
        }

        static GitSources.GitSourceBody read(Path file) throws CliException {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            boolean yaml = n.endsWith(".yaml") || n.endsWith(".yml");
            try {
                return (yaml ? OutputFormat.yamlMapper() : OutputFormat.jsonMapper()).readValue(Files.readAllBytes(file), GitSources.GitSourceBody.class);
            } catch (JacksonException e) {
                String where = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
                throw new CliException(file + where + ": not a git source: " + Main.oneLine(e.getOriginalMessage()));
            } catch (IOException e) {
                throw new CliException(Io.describe(e));
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create a source; the server syncs it at once and then every interval.",
                    "e.g. modelyard git-source create fleet --url https://git.example.com/ml/fleet.git --branch main --path prod --role operator"})
    static final class Create extends Settings {
        @Override
        void run(Main.Context context) throws Exception {
            GitSources.GitSourceBody body = request();
            GitSources.GitSource created = remote.client(context).gitSources().create(body);
            format().print(context.out(), created, () -> "created git source " + created.name() + " (" + created.status() + ")");
        }

        GitSources.GitSourceBody request() throws CliException {
            GitSources.GitSourceBody b = body(fromFile());
            List<String> missing = new java.util.ArrayList<>();
            if (b.name() == null) missing.add("a NAME");
            if (b.url() == null) missing.add("--url");
            if (b.role() == null) missing.add("--role");
            if (!missing.isEmpty()) {
                throw new CliException("a git source needs " + String.join(", ", missing) + (file == null ? "" : " (not in " + file + ")"));
            }
            return b;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Change a source's settings: the options given (or the file's fields) replace those values, the rest stay.")
    static final class Update extends Settings {
        @Override
        void run(Main.Context context) throws Exception {
            if (name == null && file == null) throw new CliException("which source? give its NAME");
            GitSources.GitSourceBody fromFile = fromFile();
            String target = or(name, fromFile.name());
            if (target == null) throw new CliException("which source? give its NAME (no 'name' in " + file + ")");
            ModelyardClient client = remote.client(context);
            GitSources.GitSource current = client.gitSources().get(target);
            // The server replaces the whole definition: what is not changed here is sent as it is.
            GitSources.GitSourceBody base = file != null ? fromFile : current.settings();
            GitSources.GitSource updated = client.gitSources().update(target, body(base));
            format().print(context.out(), updated, () -> "updated git source " + updated.name());
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Sync a source now (the server fetches its branch and applies the new commit).",
                    "With --wait, follow it until an attempt started after this request has finished: exit 0 when it synced, "
                            + "1 when it failed (each error printed as file:line:col: message) or --timeout passed."})
    static final class Sync extends Call {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--wait", description = "Wait for the result of the sync.")
        boolean await;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", description = "With --wait: give up after this long (default: ${DEFAULT-VALUE}).")
        String timeout;

        @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s", description = "With --wait: between checks (default: ${DEFAULT-VALUE}).")
        String interval;

        @Override
        void run(Main.Context context) {
            throw new UnsupportedOperationException("execute answers the exit code");
        }

        @Override
        int execute(Main.Context context) throws Exception {
            Duration limit = RolloutCommand.Watch.duration("--timeout", timeout);
            Duration every = RolloutCommand.Watch.duration("--interval", interval);
            GitSources api = remote.client(context).gitSources();
            GitSources.Attempt before = api.get(name).lastAttempt();
            GitSources.GitSource asked = api.sync(name);
            if (!await) {
                format().print(context.out(), asked, () -> "sync of git source " + name + " requested");
                return 0;
            }
            long deadline = System.nanoTime() + limit.toNanos();
            GitSources.GitSource s = asked;
            while (!newer(s.lastAttempt(), before)) {
                if (System.nanoTime() > deadline) {
                    context.err().println("error: no sync attempt of git source " + name + " finished within " + timeout
                            + "; it may still run ('modelyard git-source describe " + name + "')");
                    return 1;
                }
                Thread.sleep(every.toMillis());
                s = api.get(name);
            }
            return report(context, s);
        }

        /** Whether {@code now} is an attempt that ended after {@code before} (or the first one). */
        static boolean newer(GitSources.Attempt now, GitSources.Attempt before) {
            if (now == null || now.at() == null) return false;
            if (before == null || before.at() == null) return true;
            return now.at().isAfter(before.at());
        }

        private int report(Main.Context context, GitSources.GitSource s) {
            GitSources.Attempt a = s.lastAttempt();
            boolean failed = a.failed();
            PrintStream err = context.err();
            if (failed) {
                for (GitSources.SyncError e : a.errorsOrEmpty()) err.println(e);
            }
            if (format() == OutputFormat.TABLE) {
                if (failed) {
                    err.println("error: git source " + s.name() + ": " + (a.commit() == null ? "sync" : "commit " + shortSha(a.commit()))
                            + " failed" + (a.message() == null ? "" : " (" + Main.oneLine(a.message()) + ")") + "; nothing changed"
                            + (s.lastSyncedCommit() == null ? "" : ", still at " + shortSha(s.lastSyncedCommit())));
                } else {
                    context.out().println("git source " + s.name() + " synced at " + shortSha(a.commit()) + ": " + a.outcome()
                            + (a.message() == null ? "" : " (" + Main.oneLine(a.message()) + ")") + "; "
                            + (s.managedObjects() == null ? "?" : s.managedObjects()) + " objects managed"
                            + (s.driftOrEmpty().isEmpty() ? "" : ", " + s.driftOrEmpty().size() + " drifted")
                            + (s.conflictsOrEmpty().isEmpty() ? "" : ", " + s.conflictsOrEmpty().size() + " in conflict"));
                }
            } else {
                format().print(context.out(), s, null);
            }
            return failed ? 1 : 0;
        }
    }

    /** The human view of one source. */
    static String describe(GitSources.GitSource s) {
        java.util.List<String[]> rows = new java.util.ArrayList<>();
        rows.add(new String[] {"git source", s.name()});
        rows.add(new String[] {"url", s.url()});
        rows.add(new String[] {"branch", s.branch()});
        rows.add(new String[] {"path", s.path()});
        rows.add(new String[] {"interval", s.interval()});
        rows.add(new String[] {"role", s.role()});
        rows.add(new String[] {"drift policy", s.driftPolicy()});
        rows.add(new String[] {"prune", s.prune() == null ? null : s.prune().toString()});
        if (s.credentials() != null) {
            rows.add(new String[] {"credentials", (s.credentials().username() == null ? "" : s.credentials().username() + " ")
                    + (s.credentials().passwordRef() == null ? "" : "password from " + s.credentials().passwordRef())});
        }
        if (s.webhookSecretRef() != null) rows.add(new String[] {"webhook", "POST " + s.webhookPath() + ", signed with the secret from " + s.webhookSecretRef()});
        rows.add(new String[] {"status", s.status()});
        rows.add(new String[] {"synced commit", s.lastSyncedCommit()});
        rows.add(new String[] {"objects", s.managedObjects() == null ? null : s.managedObjects().toString()});
        rows.add(new String[] {"next sync", time(s.nextSyncAt())});
        GitSources.Attempt a = s.lastAttempt();
        if (a != null) {
            rows.add(new String[] {"last attempt", a.outcome() + " at " + time(a.at()) + (a.commit() == null ? "" : ", commit " + shortSha(a.commit()))
                    + (a.message() == null ? "" : ": " + a.message())});
        }
        StringBuilder b = new StringBuilder(Table.details(rows));
        if (a != null && !a.errorsOrEmpty().isEmpty()) {
            b.append("\nerrors of the last attempt:\n");
            for (GitSources.SyncError e : a.errorsOrEmpty()) b.append("  ").append(e).append('\n');
        }
        if (!s.driftOrEmpty().isEmpty()) {
            b.append("\ndrift (changed outside git):\n");
            for (GitSources.Drift d : s.driftOrEmpty()) {
                b.append("  ").append(d.kind()).append(' ').append(d.name());
                if (d.differences() != null && !d.differences().isEmpty()) {
                    b.append(" (").append(String.join(", ", d.differences().stream()
                            .map(x -> x.path() + ": " + show(x.from()) + " -> " + show(x.to())).toList())).append(')');
                }
                b.append('\n');
            }
            b.append("  (drift policy " + s.driftPolicy() + ": " + ("revert".equals(s.driftPolicy()) ? "the next sync puts git's values back" : "reported, left as it is") + ")\n");
        }
        if (!s.conflictsOrEmpty().isEmpty()) {
            b.append("\nconflicts (declared here, managed elsewhere; left alone):\n");
            for (GitSources.Conflict c : s.conflictsOrEmpty()) b.append("  ").append(c.kind()).append(' ').append(c.name()).append(": ").append(c.note()).append('\n');
        }
        return b.toString();
    }

    private static String show(com.fasterxml.jackson.databind.JsonNode v) {
        return v == null || v.isNull() ? "(none)" : v.toString();
    }

    private static String time(Instant i) {
        return Describe.time(i);
    }
}
