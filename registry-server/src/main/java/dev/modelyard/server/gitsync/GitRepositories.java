package dev.modelyard.server.gitsync;

import dev.modelyard.manifests.ManifestFiles;
import dev.modelyard.manifests.ManifestReader;
import dev.modelyard.server.config.ModelyardConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.EmptyProgressMonitor;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.jboss.logging.Logger;

/**
 * The sync's view of git: one bare repository per source under the work dir, fetched from the
 * source's URL (only its branch, no tags), and the manifest files of the source's folder read
 * straight from the commit's tree: nothing is checked out, and no git binary is involved.
 * Everything that goes wrong is a {@link SyncFailure} with a sentence a person can act on.
 */
@ApplicationScoped
class GitRepositories {

    /** A commit and the manifest files of the source's folder in it, named by their path in the repository. */
    record Snapshot(String commit, List<ManifestReader.Source> documents) {
    }

    /** What a fetch needs: where from, which branch, and how to sign in (null: anonymously). */
    record Remote(String url, String branch, String path, String username, String password) {
    }

    private static final Logger LOG = Logger.getLogger(GitRepositories.class);

    private final GitSyncConfig config;
    private final Path workDir;

    GitRepositories(GitSyncConfig config, ModelyardConfig modelyard) {
        this.config = config;
        this.workDir = config.workDir().orElse(modelyard.dataDir().resolve("gitsync"));
    }

    /** Fetches the branch into the source's bare repository and reads the folder's manifests at the fetched commit. */
    Snapshot fetch(String tenant, long sourceId, Remote remote) {
        Path dir = workDir.resolve(tenant).resolve(Long.toString(sourceId));
        try (Git git = open(dir)) {
            String tracking = "refs/remotes/origin/" + remote.branch();
            FetchResult result = fetch(git, remote, tracking);
            if (result.getAdvertisedRef("refs/heads/" + remote.branch()) == null) {
                throw new SyncFailure("branch '" + remote.branch() + "' is not in the repository");
            }
            requireSize(dir);
            ObjectId commit = git.getRepository().resolve(tracking);
            if (commit == null) throw new SyncFailure("branch '" + remote.branch() + "' could not be read after the fetch");
            return new Snapshot(commit.name(), read(git.getRepository(), commit, remote.path()));
        } catch (IOException e) {
            forget(dir);
            throw new SyncFailure("the repository's local copy could not be used (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); it is fetched anew next time");
        }
    }

    private FetchResult fetch(Git git, GitRepositories.Remote remote, String tracking) {
        Instant deadline = Instant.now().plus(config.fetchTimeout());
        try {
            var fetch = git.fetch().setRemote(remote.url())
                    .setRefSpecs(new RefSpec("+refs/heads/" + remote.branch() + ":" + tracking))
                    .setTagOpt(TagOpt.NO_TAGS)
                    .setRemoveDeletedRefs(true)
                    .setTimeout((int) Math.max(1, config.fetchTimeout().toSeconds()))
                    // JGit asks the monitor whether to go on: the whole fetch, not each read, has the deadline.
                    .setProgressMonitor(new EmptyProgressMonitor() {
                        @Override
                        public boolean isCancelled() {
                            return Instant.now().isAfter(deadline);
                        }
                    });
            if (remote.username() != null) {
                fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider(remote.username(), remote.password()));
            }
            return fetch.call();
        } catch (InvalidRemoteException e) {
            throw new SyncFailure("the repository cannot be reached: " + safe(e, remote));
        } catch (TransportException e) {
            if (String.valueOf(e.getMessage()).contains("refs/heads/" + remote.branch())) {
                throw new SyncFailure("branch '" + remote.branch() + "' is not in the repository");
            }
            throw new SyncFailure("fetching the repository failed: " + safe(e, remote));
        } catch (GitAPIException e) {
            if (Instant.now().isAfter(deadline)) {
                throw new SyncFailure("fetching the repository took longer than " + config.fetchTimeout().toSeconds() + " s");
            }
            throw new SyncFailure("fetching the repository failed: " + safe(e, remote));
        }
    }

    /** An exception's message, never with the password in it (a transport may echo the URL it was given). */
    private static String safe(Exception e, Remote remote) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) message += ": " + cause.getMessage();
        if (remote.password() != null && !remote.password().isEmpty()) message = message.replace(remote.password(), "[redacted]");
        return message;
    }

    private static Git open(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("HEAD"))) return Git.open(dir.toFile());
        Files.createDirectories(dir);
        try {
            return Git.init().setBare(true).setDirectory(dir.toFile()).call();
        } catch (GitAPIException e) {
            throw new IOException("cannot create a bare repository in " + dir, e);
        }
    }

    /** A repository beyond the limit is removed (it would only grow), and the pass fails saying so. */
    private void requireSize(Path dir) throws IOException {
        long bytes;
        try (Stream<Path> files = Files.walk(dir)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
        if (bytes > config.maxRepositoryBytes()) {
            delete(dir);
            throw new SyncFailure("the repository takes " + bytes + " bytes, more than the limit of " + config.maxRepositoryBytes()
                    + " (modelyard.gitsync.max-repository-bytes): keep manifests in a repository of their own");
        }
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The manifest files under {@code path} at the commit, by their repository-relative path, in path order. */
    private List<ManifestReader.Source> read(Repository repo, ObjectId commitId, String path) throws IOException {
        try (RevWalk walk = new RevWalk(repo); TreeWalk tree = new TreeWalk(repo)) {
            RevCommit commit = walk.parseCommit(commitId);
            tree.addTree(commit.getTree());
            tree.setRecursive(true);
            if (!path.isEmpty()) tree.setFilter(PathFilter.create(path));
            List<ManifestReader.Source> out = new ArrayList<>();
            boolean folderExists = path.isEmpty();
            while (tree.next()) {
                String file = tree.getPathString();
                folderExists = true;
                String relative = path.isEmpty() ? file : file.substring(Math.min(file.length(), path.length() + 1));
                if (!file.startsWith(path.isEmpty() ? "" : path + "/") || !ManifestFiles.counts(relative)) continue;
                if (tree.getFileMode(0) != FileMode.REGULAR_FILE && tree.getFileMode(0) != FileMode.EXECUTABLE_FILE) continue;
                if (out.size() == config.maxFiles()) {
                    throw new SyncFailure("'" + (path.isEmpty() ? "/" : path) + "' holds more than " + config.maxFiles() + " manifest files");
                }
                out.add(new ManifestReader.Source(file, content(repo, tree.getObjectId(0), file)));
            }
            if (!folderExists) {
                throw new SyncFailure("'" + path + "' is not a folder of commit " + commit.name().substring(0, 12));
            }
            return out;
        } catch (MissingObjectException e) {
            throw new IOException("the commit is incomplete in the local copy", e);
        }
    }

    private String content(Repository repo, ObjectId blob, String file) throws IOException {
        ObjectLoader loader = repo.open(blob);
        if (loader.getSize() > config.maxFileBytes()) {
            throw new SyncFailure(file + ": larger than " + config.maxFileBytes() + " bytes",
                    List.of(new GitSourceApi.SyncError(file, null, null, null, "larger than " + config.maxFileBytes() + " bytes")));
        }
        return new String(loader.getBytes(), StandardCharsets.UTF_8);
    }

    /** Removes the local copy of a deleted source. */
    void forget(String tenant, long sourceId) {
        forget(workDir.resolve(tenant).resolve(Long.toString(sourceId)));
    }

    private static void forget(Path dir) {
        try {
            delete(dir);
        } catch (IOException e) {
            // A cache: what is left costs disk only (ids are not reused), and an operator may delete it.
            LOG.warnf("could not remove the git sync's copy in %s: %s", dir, e);
        }
    }
}
