package dev.modelyard.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A git host for tests: a bare repository on disk served over git's smart HTTP protocol (fetch only)
 * on loopback, with JGit's upload-pack, as a real host serves it; commits are made in a working
 * clone and pushed to the bare repository. The server under test fetches it by its http:// URL.
 */
final class SmartHttpGitHost implements AutoCloseable {

    private final Path bare;
    private final Git work;
    private final HttpServer http;
    private final ExecutorService threads;

    private SmartHttpGitHost(Path bare, Git work, HttpServer http, ExecutorService threads) {
        this.bare = bare;
        this.work = work;
        this.http = http;
        this.threads = threads;
    }

    static SmartHttpGitHost start(Path dir) throws IOException, GitAPIException {
        Path bare = dir.resolve("fleet.git");
        Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
        Git work = Git.init().setDirectory(dir.resolve("work").toFile()).setInitialBranch("main").call();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        http.setExecutor(threads);
        SmartHttpGitHost host = new SmartHttpGitHost(bare, work, http, threads);
        http.createContext("/fleet.git/info/refs", host::advertise);
        http.createContext("/fleet.git/git-upload-pack", host::uploadPack);
        http.start();
        return host;
    }

    String url() {
        return "http://" + http.getAddress().getHostString() + ":" + http.getAddress().getPort() + "/fleet.git";
    }

    /** Writes the file, commits and pushes it; returns the commit's SHA. */
    String commit(String path, String content) throws IOException, GitAPIException {
        Path file = work.getRepository().getWorkTree().toPath().resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        work.add().addFilepattern(path).call();
        RevCommit c = work.commit().setMessage("change " + path).setAuthor("Fleet Team", "fleet@example.org")
                .setCommitter("Fleet Team", "fleet@example.org").call();
        work.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main")).call();
        return c.name();
    }

    private void advertise(HttpExchange exchange) throws IOException {
        if (!String.valueOf(exchange.getRequestURI().getQuery()).contains("service=git-upload-pack")) {
            exchange.sendResponseHeaders(403, -1);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/x-git-upload-pack-advertisement");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        try (Repository repo = Git.open(bare.toFile()).getRepository(); OutputStream out = exchange.getResponseBody()) {
            PacketLineOut packets = new PacketLineOut(out);
            packets.writeString("# service=git-upload-pack\n");
            packets.end();
            UploadPack upload = new UploadPack(repo);
            upload.setBiDirectionalPipe(false);
            upload.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(packets));
        }
    }

    private void uploadPack(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/x-git-upload-pack-result");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        InputStream in = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) in = new GZIPInputStream(in);
        try (Repository repo = Git.open(bare.toFile()).getRepository(); OutputStream out = exchange.getResponseBody()) {
            UploadPack upload = new UploadPack(repo);
            upload.setBiDirectionalPipe(false);
            upload.upload(in, out, null);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
        work.close();
    }
}
