package dev.modelyard.testing;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Deployments;
import dev.modelyard.client.Devices;
import dev.modelyard.client.Models;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Tokens;
import dev.modelyard.client.Versions;
import dev.modelyard.wire.TargetDescriptor;
import java.io.ByteArrayInputStream;
import java.util.Map;

/**
 * The states tests start from, made the way users make them: through the management API. Each
 * method is one step a test would otherwise spell out in requests; a refusal fails the test with
 * the server's problem (status, code, detail).
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** A released version: the model (created when missing), a draft, one artifact, optional self-test, published. */
    public record Release(Versions.Version version, Artifacts.Artifact artifact) {
    }

    /** Creates the model unless it exists. */
    public static Models.Model model(ModelyardClient client, String name) {
        Models.Model existing = client.models().find(name);
        return existing != null ? existing : client.models().create(Models.NewModel.named(name));
    }

    /** Publishes {@code model}/{@code version} with one ONNX file. */
    public static Release publishedOnnx(ModelyardClient client, String model, String version, String filename, byte[] onnx) {
        return published(client, model, version, filename, Artifacts.target("onnx"), onnx, null);
    }

    /**
     * Publishes {@code model}/{@code version} with one artifact.
     *
     * @param selfTest the version's self-test document (inputs and expected outputs), or null for none
     */
    public static Release published(ModelyardClient client, String model, String version, String filename,
                                    TargetDescriptor target, byte[] content, Map<String, Object> selfTest) {
        model(client, model);
        client.versions().create(model, Versions.NewVersion.of(version));
        Artifacts.Artifact artifact = client.artifacts().put(model, version, filename, target,
                () -> new ByteArrayInputStream(content), content.length, null, null);
        if (selfTest != null) client.versions().update(model, version, Versions.VersionPatch.selfTest(selfTest));
        return new Release(client.versions().publish(model, version), artifact);
    }

    /** Registers a device; its DDI token is in the answer's {@code token}. */
    public static Devices.Device device(ModelyardClient client, String controllerId) {
        return client.devices().create(Devices.NewDevice.of(controllerId));
    }

    /** Assigns a version (or alias) to one device. */
    public static Deployments.Assignment assign(ModelyardClient client, String model, String version, String controllerId) {
        return client.deployments().assign(Deployments.Assign.toDevice(model, version, controllerId));
    }

    /** Issues an API token with a role; its secret is in the answer's {@code token}. */
    public static Tokens.Token token(ModelyardClient client, String name, String role) {
        return client.tokens().create(new Tokens.NewToken(name, role, null));
    }

    /** The stable error code of a call expected to be refused, or a failure when it was not. */
    public static ApiProblemException refused(Runnable call) {
        try {
            call.run();
        } catch (ApiProblemException e) {
            return e;
        }
        throw new AssertionError("expected the server to refuse the call, but it was accepted");
    }
}
