package dev.modelyard.device;

import dev.modelyard.device.api.InferenceServer;
import dev.modelyard.device.config.DeviceProbe;
import dev.modelyard.device.config.UpdaterConfig;
import dev.modelyard.device.ddi.ActionJournal;
import dev.modelyard.device.ddi.DdiClient;
import dev.modelyard.device.ddi.HealthWatch;
import dev.modelyard.device.ddi.Updater;
import dev.modelyard.device.download.Downloader;
import dev.modelyard.device.install.Installer;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.store.ModelStore;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerifiedRelease;
import dev.modelyard.wire.trust.Verifier;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * {@code modelyard-updater <command> --config FILE}:
 * <ul>
 *   <li>{@code run}: the daemon — restore the installed models, serve them, follow the server;</li>
 *   <li>{@code status}: the installed versions per model (reads the store; works without the daemon);</li>
 *   <li>{@code models}: what the running daemon serves;</li>
 *   <li>{@code rollback MODEL}: the running daemon serves the previous version again;</li>
 *   <li>{@code infer MODEL JSON-FILE}: one inference through the local API ({@code -} reads standard input);</li>
 *   <li>{@code verify FILE METADATA-FILE MODEL}: checks a file and its signed metadata against the trust bundle.</li>
 * </ul>
 */
public final class Main {

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        int c = Arrays.asList(args).indexOf("--config");
        if (args.length == 0 || c < 0 || c + 1 >= args.length) {
            err.println("usage: modelyard-updater run|status|models|rollback MODEL|infer MODEL FILE|verify FILE METADATA MODEL --config FILE");
            return 2;
        }
        String[] rest = java.util.stream.IntStream.range(0, args.length).filter(i -> i != c && i != c + 1)
                .mapToObj(i -> args[i]).toArray(String[]::new);
        try {
            UpdaterConfig config = UpdaterConfig.load(Path.of(args[c + 1]));
            return switch (rest[0]) {
                case "run" -> daemon(config);
                case "status" -> status(config, out);
                case "models" -> local(config, "GET", "/v1/models", null, out);
                case "rollback" -> local(config, "POST", "/v1/models/" + arg(rest, 1) + "/rollback", "", out);
                case "infer" -> local(config, "POST", "/v1/models/" + arg(rest, 1) + "/infer",
                        arg(rest, 2).equals("-") ? new String(System.in.readAllBytes()) : Files.readString(Path.of(arg(rest, 2))), out);
                case "verify" -> verify(config, Path.of(arg(rest, 1)), Path.of(arg(rest, 2)), arg(rest, 3), out);
                default -> {
                    err.println("unknown command: " + rest[0]);
                    yield 2;
                }
            };
        } catch (Exception e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static String arg(String[] a, int i) {
        if (i >= a.length) throw new IllegalArgumentException(a[0] + ": missing argument " + i);
        return a[i];
    }

    private static int daemon(UpdaterConfig config) throws Exception {
        TrustStore trust = new TrustStore(SignedEnvelope.parse(Files.readString(config.trustBundle())));
        ModelStore store = new ModelStore(config.dataDir().resolve("models"));
        ModelRuntime runtime = new ModelRuntime(config.threads(), config.maxWarmUpBytes(), config.warmUpRuns());
        Installer installer = new Installer(store, runtime, trust, DeviceProbe.facts(), config.tenant(), Clock.systemUTC(),
                config.clockSkew(), config.maxDownloadBytes());
        ActionJournal journal = new ActionJournal(config.dataDir().resolve("actions.json"));
        HealthWatch health = new HealthWatch(journal, installer, runtime, config.health(), Clock.systemUTC(), System::nanoTime);
        // Before anything is loaded: an unconfirmed version must not get the chance to crash us again.
        health.recover().forEach(LOG::info);
        installer.restore().forEach(LOG::info);
        InferenceServer api = new InferenceServer(runtime, config.apiAddress(), Math.max(2, config.threads() * 2));
        api.onRollback(model -> installer.rollback(model).version());
        api.start();
        LOG.info("local inference API on " + config.apiAddress());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        DdiClient ddi = new DdiClient(http, config.serverUrl(), config.tenant(), config.controllerId(), config.authorization(),
                Duration.ofSeconds(60));
        Updater updater = new Updater(ddi, new Downloader(http, Duration.ofMinutes(30), config.downloadBytesPerSecond()), installer,
                journal, health, config.dataDir().resolve("downloads"),
                () -> DeviceProbe.attributes(config.dataDir()), config.pollOverride().orElse(null));
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                stopped.await(java.util.concurrent.TimeUnit.SECONDS.toMillis(20), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        LOG.info("following " + config.serverUrl() + " as " + config.controllerId());
        try {
            updater.run(stop);
        } finally {
            api.close();
            runtime.close();
            stopped.countDown();
        }
        return 0;
    }

    private static int status(UpdaterConfig config, PrintStream out) {
        ModelStore store = new ModelStore(config.dataDir().resolve("models"));
        for (String model : store.models()) {
            ModelStore.Slots s = store.slots(model);
            out.printf("%s: current %s, previous %s%s%n", model, describe(s.current()), describe(s.previous()),
                    s.candidate() == null ? "" : ", candidate " + describe(s.candidate()));
        }
        if (store.models().isEmpty()) out.println("no models installed");
        return 0;
    }

    private static String describe(ModelStore.Installed i) {
        return i == null ? "-" : i.version() + " (release " + i.releaseCounter() + ")";
    }

    private static int local(UpdaterConfig config, String method, String path, String body, PrintStream out) throws Exception {
        URI uri = URI.create("http://" + config.apiAddress().getHostString() + ":" + config.apiAddress().getPort() + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        out.println(r.body());
        return r.statusCode() / 100 == 2 ? 0 : 1;
    }

    private static int verify(UpdaterConfig config, Path file, Path metadata, String model, PrintStream out) throws Exception {
        TrustStore trust = new TrustStore(SignedEnvelope.parse(Files.readString(config.trustBundle())));
        Installer checker = new Installer(new ModelStore(config.dataDir().resolve("models")), null, trust, DeviceProbe.facts(),
                config.tenant(), Clock.systemUTC(), config.clockSkew(), config.maxDownloadBytes());
        VerifiedRelease release = checker.checkRelease(model, Files.readString(metadata), null);
        Verifier.verifyFile(release, file);
        out.println("OK " + model + " " + release.metadata().version() + " release " + release.metadata().releaseCounter());
        return 0;
    }
}
