package dev.modelyard.e2e.console;

import dev.modelyard.client.GitSources;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Profiles;
import dev.modelyard.client.Rollouts;
import dev.modelyard.client.Rollouts.NewRollout;
import dev.modelyard.client.Rollouts.Phase;
import dev.modelyard.client.Versions;
import dev.modelyard.e2e.GitRepo;
import dev.modelyard.e2e.ServerProcess;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.fleet.Behavior;
import dev.modelyard.testing.fleet.DeviceSpec;
import dev.modelyard.testing.fleet.FleetRegistration;
import dev.modelyard.testing.fleet.FleetSimulator;
import dev.modelyard.testing.fleet.SimDevice;
import dev.modelyard.wire.TargetDescriptor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A realistic tenant for the cross-page tests, made through the API as users make it: two models
 * (kws-small with two published versions, a draft and the aliases production and canary; detector
 * with one), an enabled conversion profile and its jobs, four simulated devices polling over the
 * DDI API with the updater's attributes (one of them running kws-small 1.0.0 after a finished
 * deployment), a rollout of kws-small 1.1.0 to them, a viewer token, and a git source synced
 * from a bare repository on disk (device group {@value #GIT_GROUP}).
 */
final class ConsoleTenant implements AutoCloseable {

    static final String MODEL = "kws-small";
    static final Duration POLL = Duration.ofMillis(500);
    static final String GIT_SOURCE = "console-fleet";
    static final String GIT_GROUP = "console-lab";

    /** A device group manifest, as the tenant's fleet repository keeps it. */
    static String groupManifest(String name, String filter) {
        return """
                apiVersion: modelyard.dev/v1
                kind: DeviceGroup
                metadata:
                  name: %s
                spec:
                  filter: "%s"
                """.formatted(name, filter);
    }

    final FleetSimulator fleet;
    final List<SimDevice> devices;
    final long rolloutId;
    final long jobId;
    final String viewerToken;
    final GitRepo repo;
    final String gitCommit;

    private ConsoleTenant(FleetSimulator fleet, List<SimDevice> devices, long rolloutId, long jobId, String viewerToken, GitRepo repo,
                          String gitCommit) {
        this.fleet = fleet;
        this.devices = devices;
        this.rolloutId = rolloutId;
        this.jobId = jobId;
        this.viewerToken = viewerToken;
        this.repo = repo;
        this.gitCommit = gitCommit;
    }

    /** The packaged server a tenant is seeded on: its git source reads a repository on disk (a file:// URL). */
    static ConsoleBrowser browser(String purpose) {
        return new ConsoleBrowser(new dev.modelyard.e2e.FreshServer(purpose, "320m", GitRepo.FILE_URLS));
    }

    static ConsoleTenant seed(ConsoleBrowser browser) {
        ModelyardClient admin = browser.server().admin();
        admin.profiles().create(new Profiles.ProfileBody("arm-int8", "int8 for small aarch64 devices", true,
                List.of(new Profiles.Step(null, "int8-weights-qdq", Map.of("perChannel", false), null, null, null)),
                new TargetDescriptor("onnx", null, null, "aarch64", null, "int8", 64, null),
                new Profiles.Tolerance(0.05, 0.999), null, null));
        Fixtures.publishedOnnx(admin, MODEL, "1.0.0", "kws-small.onnx", OnnxModels.mlp(4, 32, 1, 4, 1, 0.5f));
        Fixtures.publishedOnnx(admin, MODEL, "1.1.0", "kws-small.onnx", OnnxModels.mlp(4, 32, 1, 4, 2, 0.5f));
        admin.versions().create(MODEL, Versions.NewVersion.of("1.2.0-rc.1"));
        admin.models().setAlias(MODEL, "production", "1.0.0");
        admin.models().setAlias(MODEL, "canary", "1.1.0");
        Fixtures.publishedOnnx(admin, "detector", "1.0.0", "detector.onnx", OnnxModels.mlp(4, 16, 1, 2, 3, 0.1f));
        long jobId = admin.conversions().jobs(new dev.modelyard.client.Conversions.Filter(MODEL, null, null, null, null, null))
                .items().get(0).id();

        FleetSimulator fleet = FleetSimulator.builder(browser.uri("")).build().start();
        Map<String, String> attributes = new HashMap<>(DeviceSpec.updaterAttributes());
        List<DeviceSpec> specs = FleetRegistration.viaApi(admin, "default", "console", 4, attributes, Set.of("console"));
        List<SimDevice> devices = fleet.addAll(specs, Behavior.healthy().withPollInterval(POLL));
        Fixtures.assign(admin, MODEL, "1.0.0", devices.get(0).controllerId());
        fleet.awaitAll(List.of(devices.get(0)), d -> "1.0.0".equals(d.installedVersion(MODEL)), ConsoleBrowser.WAIT.multipliedBy(3),
                "kws-small 1.0.0 installed on " + devices.get(0).controllerId());
        Rollouts.Rollout rollout = admin.rollouts().create(NewRollout.of("kws-small-1.1-console", MODEL, "1.1.0", "tag==console")
                .phases(Phase.count("canary", 1), Phase.percent("rest", 100).needsApproval()));
        String viewer = Fixtures.token(admin, "console-viewer", "viewer").token();
        try {
            GitRepo repo = GitRepo.create(browser.server().work(), "console-fleet");
            String commit = repo.commit("the lab group", Map.of("fleet/groups/lab.yaml", groupManifest(GIT_GROUP, "tag==console")));
            admin.gitSources().create(GitSources.GitSourceBody.of(GIT_SOURCE, repo.url(), GitRepo.BRANCH, "operator").path("fleet")
                    .interval("1h"));
            awaitGitSync(admin, commit);
            return new ConsoleTenant(fleet, devices, rollout.id(), jobId, viewer, repo, commit);
        } catch (java.io.IOException | org.eclipse.jgit.api.errors.GitAPIException e) {
            throw new IllegalStateException("could not make the tenant's git repository", e);
        }
    }

    /** Waits until the git source has applied {@code commit} (its creation asks for a first sync at once). */
    static void awaitGitSync(ModelyardClient admin, String commit) {
        ServerProcess.await("git source " + GIT_SOURCE + " to sync " + commit, () -> admin.gitSources().get(GIT_SOURCE),
                s -> commit.equals(s.lastSyncedCommit()));
    }

    /** What the route parameters of the console's pages stand for in this tenant. */
    Map<String, String> params() {
        return Map.of(
                "model", MODEL,
                "version", "1.1.0",
                "device", devices.get(0).controllerId(),
                "rollout", Long.toString(rolloutId),
                "job", Long.toString(jobId),
                "profile", "arm-int8",
                "gitSource", GIT_SOURCE);
    }

    @Override
    public void close() {
        fleet.close();
        repo.close();
    }
}
