package dev.modelyard.server.signing;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.KeyFile;
import dev.modelyard.wire.trust.Signer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import org.jboss.logging.Logger;

/**
 * The server's online release key, which signs artifact metadata. Its private part never leaves
 * this class: no API returns it. Devices trust it only once an offline-signed root lists it.
 */
@ApplicationScoped
@Startup
public class ReleaseKey {

    private static final Logger LOG = Logger.getLogger(ReleaseKey.class);

    private final Signer signer;
    private final String keyId;
    private final String publicKey;
    private final byte[] seed;

    public ReleaseKey(ModelyardConfig config) {
        KeyPair pair = load(config);
        this.seed = Ed25519.seedOf(pair.getPrivate());
        this.signer = Signer.of(pair);
        this.keyId = Ed25519.keyId(pair.getPublic());
        this.publicKey = Base64.getEncoder().encodeToString(Ed25519.rawPublicKey(pair.getPublic()));
        LOG.infof("release key %s", keyId);
    }

    private static KeyPair load(ModelyardConfig config) {
        ModelyardConfig.Signing s = config.signing();
        char[] passphrase = s.releaseKeyPassphrase().map(String::toCharArray).orElse(null);
        try {
            if (s.releaseKey().isPresent()) {
                return KeyFile.fromSeedBase64(s.releaseKey().get());
            }
            if (s.releaseKeyFile().isPresent()) {
                return KeyFile.load(s.releaseKeyFile().get(), passphrase);
            }
            Path generated = config.dataDir().resolve("keys").resolve("release-key.json");
            if (Files.exists(generated)) {
                return KeyFile.load(generated, passphrase);
            }
            return generate(generated);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load the release key: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the release key: " + e.getMessage(), e);
        }
    }

    private static KeyPair generate(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        KeyPair pair = Ed25519.generate();
        KeyFile.save(file, pair, null);
        LOG.warnf("No release key was configured, so one was generated in %s (key id %s, public key %s). "
                        + "Devices trust it only once your root metadata lists it as a release key "
                        + "(modelyard root init --release-public %s). With several replicas, configure the same key "
                        + "on each through modelyard.signing.release-key-file or MODELYARD_SIGNING_RELEASE_KEY.",
                file, Ed25519.keyId(pair.getPublic()), Base64.getEncoder().encodeToString(Ed25519.rawPublicKey(pair.getPublic())),
                Base64.getEncoder().encodeToString(Ed25519.rawPublicKey(pair.getPublic())));
        return pair;
    }

    /** The private seed, as key material from which {@link ReleaseKeys} derives the key that wraps tenants' keys. */
    byte[] seed() {
        return seed.clone();
    }

    Signer signer() {
        return signer;
    }

    public String keyId() {
        return keyId;
    }

    /** Base64 of the raw 32-byte public key. */
    public String publicKey() {
        return publicKey;
    }
}
