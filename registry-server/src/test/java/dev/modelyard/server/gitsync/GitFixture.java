package dev.modelyard.server.gitsync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A git repository as a team keeps one: a bare repository on disk (what the server fetches, by its
 * {@code file://} URL) and a working clone that commits and pushes to it, both made with JGit.
 */
final class GitFixture implements AutoCloseable {

    private final Path root;
    private final Path bare;
    private final Git work;

    private GitFixture(Path root, Path bare, Git work) {
        this.root = root;
        this.bare = bare;
        this.work = work;
    }

    static GitFixture create() throws IOException, GitAPIException {
        Path root = Files.createTempDirectory("gitsync-fixture");
        Path bare = root.resolve("fleet.git");
        Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
        Git work = Git.init().setDirectory(root.resolve("work").toFile()).setInitialBranch("main").call();
        return new GitFixture(root, bare, work);
    }

    String url() {
        return bare.toUri().toString();
    }

    /** Writes (or with null content deletes) files, commits them and pushes to the bare repository; returns the commit SHA. */
    String commit(String message, String... pathsAndContents) throws IOException, GitAPIException {
        Path dir = work.getRepository().getWorkTree().toPath();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            Path file = dir.resolve(pathsAndContents[i]);
            if (pathsAndContents[i + 1] == null) {
                Files.deleteIfExists(file);
                work.rm().addFilepattern(pathsAndContents[i]).call();
            } else {
                Files.createDirectories(file.getParent());
                Files.writeString(file, pathsAndContents[i + 1], StandardCharsets.UTF_8);
                work.add().addFilepattern(pathsAndContents[i]).call();
            }
        }
        RevCommit c = work.commit().setMessage(message).setAuthor("Fleet Team", "fleet@example.org")
                .setCommitter("Fleet Team", "fleet@example.org").setAllowEmpty(true).call();
        push();
        return c.name();
    }

    /** A {@code git revert} of the commit, pushed; returns the new commit's SHA. */
    String revert(String commit) throws IOException, GitAPIException {
        RevCommit reverted = work.revert().include(work.getRepository().resolve(commit)).call();
        push();
        return reverted.name();
    }

    private void push() throws GitAPIException {
        work.push().setRemote(url()).setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).setForce(false).call();
    }

    @Override
    public void close() throws IOException {
        work.close();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
