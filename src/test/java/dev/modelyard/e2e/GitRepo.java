package dev.modelyard.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A git repository on disk for GitOps tests, as a team keeps one: a bare repository (what the
 * server fetches, by its {@code file://} URL) and a working copy that commits and pushes to it.
 * Made with JGit; no git program is needed.
 */
public final class GitRepo implements AutoCloseable {

    public static final String BRANCH = "main";

    /**
     * The server's setting that lets a source read a {@code file://} repository (off by default: such
     * a URL reads the server's own disk); a server that syncs a {@code GitRepo} needs it.
     */
    public static final Map<String, String> FILE_URLS = Map.of("MODELYARD_GITSYNC_ALLOW_FILE_URLS", "true");

    private final Path bare;
    private final Path work;
    private final Git git;

    private GitRepo(Path bare, Path work, Git git) {
        this.bare = bare;
        this.work = work;
        this.git = git;
    }

    /** An empty bare repository {@code dir/name.git} and its working copy {@code dir/name}. */
    public static GitRepo create(Path dir, String name) throws IOException, GitAPIException {
        Path bare = dir.resolve(name + ".git");
        Path work = dir.resolve(name);
        Git.init().setBare(true).setInitialBranch(BRANCH).setDirectory(bare.toFile()).call().close();
        Git git = Git.init().setInitialBranch(BRANCH).setDirectory(work.toFile()).call();
        git.remoteAdd().setName("origin").setUri(new org.eclipse.jgit.transport.URIish(bare.toUri().toURL())).call();
        return new GitRepo(bare, work, git);
    }

    /** The address the server fetches: {@code file:///…/name.git}. */
    public String url() {
        return "file://" + bare.toAbsolutePath();
    }

    /**
     * Writes the files (path inside the repository to content; a null content deletes the file),
     * commits everything and pushes the branch. Returns the commit's SHA.
     */
    public String commit(String message, Map<String, String> files) throws IOException, GitAPIException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = work.resolve(f.getKey());
            if (f.getValue() == null) {
                Files.deleteIfExists(p);
            } else {
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
        }
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        PersonIdent who = new PersonIdent("Fleet Team", "fleet@example.com");
        RevCommit c = git.commit().setMessage(message).setAuthor(who).setCommitter(who).call();
        git.push().setRemote("origin").setRefSpecs(new RefSpec("refs/heads/" + BRANCH + ":refs/heads/" + BRANCH)).call();
        return c.getName();
    }

    @Override
    public void close() {
        git.close();
    }
}
