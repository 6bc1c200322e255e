package dev.modelyard.device;

import dev.modelyard.device.api.InferenceServer;
import dev.modelyard.device.config.DeviceProbe;
import dev.modelyard.device.config.UpdaterConfig;
import dev.modelyard.device.ddi.ActionJournal;
import dev.modelyard.device.ddi.DdiClient;
import dev.modelyard.device.ddi.HealthWatch;
import dev.modelyard.device.ddi.PollSchedule;
import dev.modelyard.device.ddi.Updater;
import dev.modelyard.device.download.DownloadProgress;
import dev.modelyard.device.download.Downloader;
import dev.modelyard.device.install.Installer;
import dev.modelyard.device.push.PushSubscriber;
import dev.modelyard.device.runtime.Engine;
import dev.modelyard.device.runtime.Engines;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.runtime.external.ExternalEngine;
import dev.modelyard.device.runtime.external.ExternalRuntimeSettings;
import dev.modelyard.device.runtime.onnx.OnnxEngine;
import dev.modelyard.device.runtime.tflite.TfliteEngine;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * {@code modelyard-updater <command> --config FILE}:
 * <ul>
 *   <li>{@code run}: the daemon — restore the installed models, serve them, follow the server;</li>
 *   <li>{@code status}: the installed versions per model and the download in progress (reads the data
 *       directory, where the daemon writes them; works without the daemon);</li>
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
                case "infer" -> local(config, "POST", "/v1/models/" + arg(rest, 1) + "/infer", inferInput(arg(rest, 2)), out);
                case "verify" -> verify(config, Path.of(arg(rest, 1)), Path.of(arg(rest, 2)), arg(rest, 3), out);
                default -> {
                    err.println("unknown command: " + rest[0]);
                    yield 2;
                }
            };
        } catch (Exception e) {
            err.println("error: " + describe(e));
            return 1;
        }
    }

    private static String arg(String[] a, int i) {
        if (i >= a.length) {
            throw new IllegalArgumentException(a[0] + " needs more arguments: modelyard-updater rollback MODEL | infer MODEL FILE"
                    + " | verify FILE METADATA MODEL, each with --config FILE");
        }
        return a[i];
    }

    /** An exception's message, or what it is when it has none (the JDK's network exceptions often have none). */
    static String describe(Throwable e) {
        String m = own(e);
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !m.contains(own(cause))) m += ": " + own(cause);
        return m;
    }

    /** File-system exceptions carry only a path as their message: say what happened to it. */
    private static String own(Throwable e) {
        if (e instanceof java.nio.file.AccessDeniedException a) return a.getFile() + ": permission denied";
        if (e instanceof java.nio.file.NoSuchFileException n) return n.getFile() + ": not found";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getFile() + ": " + f.getReason();
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** The JSON request of {@code infer}, from a file or ({@code -}) standard input. */
    private static String inferInput(String file) throws java.io.IOException {
        if (file.equals("-")) return new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            return Files.readString(Path.of(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("input file " + file + " not found: it holds the JSON request,"
                    + " e.g. {\"inputs\": {\"x\": {\"dtype\": \"float32\", \"shape\": [1, 4], \"data\": [0, 0, 0, 0]}}}"
                    + " (see README, The local inference API)");
        }
    }

    /** The root of trust the device was provisioned with; every way it can be missing says what to do. */
    static TrustStore trust(UpdaterConfig config) throws java.io.IOException {
        Path file = config.trustBundle();
        String howToMake = "create it with `modelyard trust-bundle --out " + file.getFileName() + " 1.root.json …` from the"
                + " root files, or download it from the server: GET /api/v1/trust/roots/latest"
                // Each tenant has its own root: an anonymous read names the tenant, or gets the default tenant's.
                + (config.tenant().equals("default") ? "" : " with the header Modelyard-Tenant: " + config.tenant())
                + " (see README, Device setup)";
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("trust bundle " + file + " (trust.bundle) not found: " + howToMake);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException("trust bundle " + file + " (trust.bundle) cannot be read (permission denied):"
                    + " make it readable by the user the updater runs as");
        } catch (java.io.IOException e) {
            throw new java.io.IOException("trust bundle " + file + " (trust.bundle) cannot be read: " + describe(e), e);
        }
        try {
            return new TrustStore(SignedEnvelope.parse(text));
        } catch (Exception e) {
            throw new IllegalArgumentException("trust bundle " + file + " (trust.bundle) is not a valid trust bundle ("
                    + describe(e) + "): " + howToMake, e);
        }
    }

    private static int daemon(UpdaterConfig config) throws Exception {
        TrustStore trust = trust(config);
        ModelStore store;
        try {
            store = new ModelStore(config.dataDir().resolve("models"));
        } catch (java.io.UncheckedIOException e) {
            throw new java.io.IOException(describe(e) + ": check data.dir (" + config.dataDir()
                    + ") and that the user the updater runs as may write there", e);
        }
        Engines engines = engines(config);
        LOG.info("runtimes: " + engines.versions());
        ModelRuntime runtime = new ModelRuntime(engines, config.threads(), config.maxWarmUpBytes(), config.warmUpRuns());
        Installer installer = new Installer(store, runtime, trust, DeviceProbe.facts(engines), config.tenant(), Clock.systemUTC(),
                config.clockSkew(), config.maxDownloadBytes());
        ActionJournal journal = new ActionJournal(config.dataDir().resolve("actions.json"));
        HealthWatch health = new HealthWatch(journal, installer, runtime, config.health(), Clock.systemUTC(), System::nanoTime);
        // Before anything is loaded: an unconfirmed version must not get the chance to crash us again.
        health.recover().forEach(LOG::info);
        installer.restore().forEach(LOG::info);
        InferenceServer api;
        try {
            api = new InferenceServer(runtime, config.apiAddress(), Math.max(2, config.threads() * 2));
        } catch (java.net.BindException e) {
            throw new java.io.IOException("the local inference API cannot listen on " + config.apiAddress() + " (" + describe(e)
                    + "): is another updater running? Otherwise choose another api.address", e);
        }
        api.onRollback(model -> installer.rollback(model).version());
        api.start();
        LOG.info("local inference API on " + config.apiAddress());
        DdiClient ddi = new DdiClient(config.serverUrl(), config.tenant(), config.controllerId(), config.authorization(),
                Duration.ofSeconds(60));
        Downloader downloader = Downloader.withClientOnFirstUse(Duration.ofSeconds(10), Duration.ofMinutes(30),
                config.downloadBytesPerSecond());
        Updater updater = new Updater(ddi, downloader, installer,
                journal, health, config.dataDir().resolve("downloads"),
                () -> DeviceProbe.attributes(config.dataDir(), engines), new PollSchedule(config.pollOverride(), config.pollMaxInterval()),
                config.deltaEnabled());
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
        PushSubscriber push = config.push().map(p -> new PushSubscriber(p, config.tenant(), config.controllerId(), updater::pollNow))
                .orElse(null);
        if (push != null) push.start();
        try {
            updater.run(stop);
        } finally {
            if (push != null) push.close();
            api.close();
            runtime.close();
            engines.close();
            stopped.countDown();
        }
        return 0;
    }

    /**
     * The runtimes the configuration enables. Creating them loads no natives: that happens when
     * each loads its first model, so reporting and verifying cost nothing.
     */
    static Engines engines(UpdaterConfig config) {
        List<Engine> engines = new ArrayList<>();
        for (String runtime : config.runtimes()) {
            engines.add(switch (runtime) {
                case OnnxEngine.RUNTIME -> new OnnxEngine();
                case TfliteEngine.RUNTIME -> new TfliteEngine(config.dataDir().resolve("natives"), config.tfliteLibrary());
                default -> throw new IllegalArgumentException("runtimes: unknown runtime " + runtime);
            });
        }
        for (ExternalRuntimeSettings settings : config.externalRuntimes()) {
            external(settings).ifPresent(engines::add);
        }
        return new Engines(engines);
    }

    /**
     * An external runtime whose worker answers: asking its version starts the worker once. One that
     * cannot start is left out (and so not reported: the server sends no artifact for it) rather than
     * stopping the updater, which must keep serving and updating the models of its other runtimes.
     */
    private static java.util.Optional<Engine> external(ExternalRuntimeSettings settings) {
        ExternalEngine engine = new ExternalEngine(settings);
        try {
            LOG.info("external runtime " + engine.runtime() + " " + engine.version());
            return java.util.Optional.of(engine);
        } catch (RuntimeException e) {
            engine.close();
            LOG.warning("external runtime " + settings.runtime() + " is not available and is not reported: " + e.getMessage());
            return java.util.Optional.empty();
        }
    }

    static int status(UpdaterConfig config, PrintStream out) {
        ModelStore store = new ModelStore(config.dataDir().resolve("models"));
        for (String model : store.models()) {
            ModelStore.Slots s = store.slots(model);
            out.printf("%s: current %s, previous %s%s%n", model, describe(s.current()), describe(s.previous()),
                    s.candidate() == null ? "" : ", candidate " + describe(s.candidate()));
        }
        if (store.models().isEmpty()) out.println("no models installed");
        Updater.progressFile(config.dataDir().resolve("downloads")).read().ifPresent(p -> out.println("downloading "
                + p.describe() + " (as of " + DownloadProgress.duration(Duration.between(p.at(), java.time.Instant.now())) + " ago)"));
        return 0;
    }

    private static String describe(ModelStore.Installed i) {
        return i == null ? "-" : i.version() + " (release " + i.releaseCounter() + ")";
    }

    private static int local(UpdaterConfig config, String method, String path, String body, PrintStream out) throws Exception {
        URI uri = URI.create("http://" + config.apiAddress().getHostString() + ":" + config.apiAddress().getPort() + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r;
        try {
            r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new java.io.IOException("cannot reach the updater's local API at " + config.apiAddress() + " (api.address): is the"
                    + " daemon running (modelyard-updater run --config …)?", e);
        }
        out.println(r.body());
        return r.statusCode() / 100 == 2 ? 0 : 1;
    }

    private static int verify(UpdaterConfig config, Path file, Path metadata, String model, PrintStream out) throws Exception {
        TrustStore trust = trust(config);
        // engines(config) starts each external runtime's worker to ask its version: close them again.
        try (Engines engines = engines(config)) {
            Installer checker = new Installer(new ModelStore(config.dataDir().resolve("models")), null, trust, DeviceProbe.facts(engines),
                    config.tenant(), Clock.systemUTC(), config.clockSkew(), config.maxDownloadBytes());
            VerifiedRelease release = checker.checkRelease(model, Files.readString(metadata), null);
            Verifier.verifyFile(release, file);
            out.println("OK " + model + " " + release.metadata().version() + " release " + release.metadata().releaseCounter());
            return 0;
        }
    }
}
