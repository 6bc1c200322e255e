package dev.modelyard.cli;

import dev.modelyard.client.ModelyardClient;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.Signature;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.Signer;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerificationException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "root", mixinStandardHelpOptions = true,
        description = "Create, sign and verify versions of the root metadata (the root of trust).",
        subcommands = {RootCommand.Init.class, RootCommand.Next.class, RootCommand.Sign.class, RootCommand.Verify.class,
                RootCommand.Publish.class})
final class RootCommand {

    static final String DEFAULT_EXPIRY = "365d";

    // ---------------------------------------------------------------- root init

    @Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create root metadata version 1, signed by every --root-key (their private keys are "
                    + "needed, unlocked with the one passphrase).",
                    "Release keys need only their public part: a key file read without its passphrase, or "
                            + "--release-public, so the server's key never has to be on this machine.",
                    "The root threshold must be met by the signatures, unless --partial is given."})
    static final class Init extends Action {

        @Option(names = "--root-key", required = true, paramLabel = "FILE",
                description = "A root key file; repeat for several. Each one signs.")
        List<Path> rootKeys;

        @Option(names = "--root-public", paramLabel = "BASE64",
                description = "A further root key given by its public key; it is listed but does not sign now "
                        + "(its holder adds a signature with 'root sign').")
        List<String> rootPublic = new ArrayList<>();

        @Option(names = "--root-threshold", paramLabel = "N", defaultValue = "1",
                description = "Signatures by distinct root keys needed for a new root version (default: ${DEFAULT-VALUE}).")
        int rootThreshold;

        @Option(names = "--release-key", paramLabel = "FILE",
                description = "A release key file (only its public part is read); repeat for several.")
        List<Path> releaseKeys = new ArrayList<>();

        @Option(names = "--release-public", paramLabel = "BASE64",
                description = "A release key given by its base64 public key (see 'keys show'); repeat for several.")
        List<String> releasePublic = new ArrayList<>();

        @Option(names = "--release-threshold", paramLabel = "N", defaultValue = "1",
                description = "Signatures by distinct release keys needed for a release (default: ${DEFAULT-VALUE}).")
        int releaseThreshold;

        @Mixin
        NewRootOptions output;

        @Mixin
        PassphraseOptions passphrase;

        @Override
        void run(Main.Context context) throws Exception {
            Instant expiry = output.expiry(context);
            List<Keys.Public> release = publicKeys(releaseKeys, releasePublic, "--release-public");
            if (release.isEmpty()) throw new CliException("give at least one --release-key or --release-public");
            char[] secret = passphrase.get(context);
            List<KeyPair> signing = new ArrayList<>();
            for (Path file : rootKeys) signing.add(Keys.loadPrivate(file, secret));
            List<PublicKey> root = new ArrayList<>();
            for (KeyPair pair : signing) root.add(pair.getPublic());
            for (Keys.Public k : publicKeys(List.of(), rootPublic, "--root-public")) root.add(k.key());
            warnIfShared(context, root, keysOf(release));

            RootMetadata metadata = create(1, expiry, root, rootThreshold, keysOf(release), releaseThreshold);
            SignedEnvelope envelope = signer(signing).sign(metadata);
            output.write(context, metadata, envelope, unmet("root v1", metadata, envelope), TrustStore::new);
        }
    }

    /** What 'root init' and 'root next' share: the new version's expiry, where it is written, and when. */
    static final class NewRootOptions {

        @Option(names = "--expires", paramLabel = "WHEN", defaultValue = DEFAULT_EXPIRY,
                description = "Days from now (365d) or a UTC time (2027-01-01T00:00:00Z); default: ${DEFAULT-VALUE}.")
        String expires;

        @Option(names = "--out", required = true, paramLabel = "FILE",
                description = "Where to write the new root (e.g. 1.root.json for the first, N+1.root.json for the next).")
        Path out;

        @Option(names = "--partial",
                description = "Write the root even if a threshold is not met yet, for the remaining key holders to sign with 'root sign'.")
        boolean partial;

        /** The checks a complete new root must pass before it is written (a first root, or the next in a chain). */
        @FunctionalInterface
        interface Check {
            void accept(SignedEnvelope envelope) throws VerificationException;
        }

        Instant expiry(Main.Context context) throws CliException {
            return Io.expiry(expires, context.clock());
        }

        /**
         * Writes the signed root: refused while thresholds are {@code unmet} (null when all are met) unless
         * --partial, and a complete root only once it passes {@code check}, so no unusable root is ever written.
         */
        void write(Main.Context context, RootMetadata metadata, SignedEnvelope envelope, String unmet, Check check)
                throws CliException, Refused {
            String version = "root v" + metadata.version();
            if (unmet != null && !partial) {
                throw new CliException(version + " not written: " + unmet + "; sign with those keys too, or give"
                        + " --partial and add the missing signatures with 'root sign'");
            }
            if (unmet == null) {
                try {
                    check.accept(envelope);
                } catch (VerificationException e) {
                    throw new Refused(e, version + " not written");
                }
            }
            Io.write(out, envelope.toJsonBytes());
            context.out().println("wrote " + out);
            describe(context.out(), metadata, envelope);
            if (unmet != null) context.err().println("note: incomplete: " + unmet);
        }
    }

    // ---------------------------------------------------------------- root next

    @Command(name = "next", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create root version N+1 from version N: rotate root keys, add, rotate or revoke release keys.",
                    "Root keys and threshold stay those of the previous root unless --root-key or --root-public "
                            + "(and --root-threshold) are given. Release keys are the previous ones, plus those given, "
                            + "minus those revoked.",
                    "It must be signed (--sign-with) by the previous root's threshold of root keys and by the new "
                            + "root's own threshold; otherwise nothing is written and the missing key ids are named, "
                            + "unless --partial is given."})
    static final class Next extends Action {

        @Option(names = "--previous", required = true, paramLabel = "FILE", description = "The current root (N.root.json).")
        Path previous;

        @Option(names = "--sign-with", required = true, paramLabel = "FILE",
                description = "A root key file (of the previous or the new root) to sign with; repeat for several.")
        List<Path> signWith;

        @Option(names = "--root-key", paramLabel = "FILE",
                description = "A root key of the new version (only its public part is read); replaces the previous root keys.")
        List<Path> rootKeys = new ArrayList<>();

        @Option(names = "--root-public", paramLabel = "BASE64",
                description = "A root key of the new version given by its base64 public key; replaces the previous root keys.")
        List<String> rootPublic = new ArrayList<>();

        @Option(names = "--root-threshold", paramLabel = "N",
                description = "Root threshold of the new version (default: the previous one).")
        Integer rootThreshold;

        @Option(names = "--release-key", paramLabel = "FILE",
                description = "A release key file to add (only its public part is read).")
        List<Path> releaseKeys = new ArrayList<>();

        @Option(names = "--release-public", paramLabel = "BASE64", description = "A release key to add, by its base64 public key.")
        List<String> releasePublic = new ArrayList<>();

        @Option(names = "--revoke-release", paramLabel = "KEYID",
                description = "Remove this release key id; everything it signed is refused once devices have the new root.")
        List<String> revoke = new ArrayList<>();

        @Option(names = "--release-threshold", paramLabel = "N",
                description = "Release threshold of the new version (default: the previous one).")
        Integer releaseThreshold;

        @Mixin
        NewRootOptions output;

        @Mixin
        PassphraseOptions passphrase;

        @Override
        void run(Main.Context context) throws Exception {
            Instant expiry = output.expiry(context);
            TrustStore store = trustStore(previous);
            RootMetadata old = store.root();
            long version = old.version() + 1;

            List<PublicKey> root = new ArrayList<>();
            List<Keys.Public> newRoot = publicKeys(rootKeys, rootPublic, "--root-public");
            if (newRoot.isEmpty()) {
                for (String id : old.rootRole().keyids()) root.add(old.publicKey(id));
            } else {
                root.addAll(keysOf(newRoot));
            }
            int rootT = rootThreshold != null ? rootThreshold : old.rootRole().threshold();

            Map<String, PublicKey> release = new LinkedHashMap<>();
            for (String id : old.releaseRole().keyids()) release.put(id, old.publicKey(id));
            for (Keys.Public k : publicKeys(releaseKeys, releasePublic, "--release-public")) release.put(k.keyId(), k.key());
            for (String id : revoke) {
                Keys.requireKeyId(id, "--revoke-release");
                if (release.remove(id) == null) {
                    throw new CliException("--revoke-release: " + id + " is not a release key of root v" + old.version());
                }
            }
            if (release.isEmpty()) {
                throw new CliException("root v" + version + " would have no release key left; add one with --release-key or --release-public");
            }
            int releaseT = releaseThreshold != null ? releaseThreshold : old.releaseRole().threshold();
            warnIfShared(context, root, release.values());

            RootMetadata metadata = create(version, expiry, root, rootT, new ArrayList<>(release.values()), releaseT);
            char[] secret = passphrase.get(context);
            List<KeyPair> signing = new ArrayList<>();
            for (Path file : signWith) {
                KeyPair pair = Keys.loadPrivate(file, secret);
                requireRootKey(file, Keys.keyId(pair), old, metadata);
                signing.add(pair);
            }
            SignedEnvelope envelope = signer(signing).sign(metadata);

            String unmet = join(unmet("the previous root v" + old.version(), old, envelope),
                    unmet("the new root v" + version, metadata, envelope));
            output.write(context, metadata, envelope, unmet, store::updateRoot);
        }
    }

    // ---------------------------------------------------------------- root sign

    @Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Add a signature to a root file, so holders of different root keys can sign one after "
                    + "another (a signature already made by the same key is replaced).",
                    "With --previous, the key may also be a root key of the previous version, and the result is "
                            + "checked against both thresholds. --out may name the --in file."})
    static final class Sign extends Action {

        @Option(names = "--in", required = true, paramLabel = "FILE", description = "The root file to sign.")
        Path in;

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "The root key file to sign with.")
        Path key;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the signed root.")
        Path out;

        @Option(names = "--previous", paramLabel = "FILE", description = "The previous root version, when --in is version 2 or later.")
        Path previous;

        @Mixin
        PassphraseOptions passphrase;

        @Override
        void run(Main.Context context) throws Exception {
            SignedEnvelope envelope = Io.readEnvelope(in);
            RootMetadata metadata = Io.rootOf(envelope, in);
            TrustStore store = previous == null ? null : trustStore(previous);
            RootMetadata old = store == null ? null : store.root();
            if (old != null && metadata.version() != old.version() + 1) {
                throw new CliException(in + ": is root v" + metadata.version() + ", which does not follow the previous v" + old.version());
            }
            KeyPair pair = Keys.loadPrivate(key, passphrase.get(context));
            String id = Keys.keyId(pair);
            if (old == null && metadata.version() > 1 && !metadata.rootRole().keyids().contains(id)) {
                throw new CliException(key + ": key " + id + " is not a root key of v" + metadata.version()
                        + " (to sign as a root key of the previous version, give --previous)");
            }
            requireRootKey(key, id, old, metadata);
            SignedEnvelope signed = signer(List.of(pair)).addSignatures(envelope);

            String unmet = unmet((old == null ? "" : "the new ") + "root v" + metadata.version(), metadata, signed);
            if (old != null) unmet = join(unmet("the previous root v" + old.version(), old, signed), unmet);
            boolean checked = old != null || metadata.version() == 1;
            if (unmet == null && checked) {
                try {
                    if (old != null) store.updateRoot(signed); else new TrustStore(signed);
                } catch (VerificationException e) {
                    throw new Refused(e, out + " not written");
                }
            }
            Io.write(out, signed.toJsonBytes());
            context.out().println("signed root v" + metadata.version() + " with " + id + "; wrote " + out);
            if (unmet != null) {
                context.out().println("incomplete: " + unmet);
            } else if (checked) {
                context.out().println("complete: " + (old == null ? "root v1 is self-signed" : "root v" + old.version()
                        + " accepts root v" + metadata.version()));
            } else {
                context.out().println("own root threshold met; give --previous to check the previous root's threshold too");
            }
        }
    }

    // ---------------------------------------------------------------- root verify

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Verify a chain of root files as a device would: the first must carry its own root "
                    + "threshold of signatures, each next one must be its successor (version + 1, signed by the "
                    + "thresholds of the previous and of its own root keys).",
                    "Prints the last root's version, expiry and keys."})
    static final class Verify extends Action {

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Root files, oldest first (1.root.json 2.root.json …).")
        List<Path> files;

        @Override
        void run(Main.Context context) throws Exception {
            TrustStore store = chain(files);
            RootMetadata root = store.root();
            context.out().println("OK: chain of " + files.size() + " root file(s) verified");
            describe(context.out(), root, store.rootEnvelope());
            warnIfExpired(context, root);
        }
    }

    // ---------------------------------------------------------------- shared

    /** A trust store from a chain of root files, the first self-signed. */
    static TrustStore chain(List<Path> files) throws CliException, Refused {
        TrustStore store = trustStore(files.get(0));
        for (Path file : files.subList(1, files.size())) {
            SignedEnvelope next = Io.readEnvelope(file);
            try {
                store.updateRoot(next);
            } catch (VerificationException e) {
                throw new Refused(e, file.toString());
            }
        }
        return store;
    }

    /** A trust store from one root file, which must carry its own root threshold of signatures. */
    static TrustStore trustStore(Path file) throws CliException, Refused {
        SignedEnvelope envelope = Io.readEnvelope(file);
        try {
            return new TrustStore(envelope);
        } catch (VerificationException e) {
            throw new Refused(e, file.toString());
        }
    }

    static void warnIfExpired(Main.Context context, RootMetadata root) {
        if (context.clock().instant().isAfter(root.expires())) {
            context.err().println("warning: root v" + root.version() + " expired at " + Io.time(root.expires())
                    + "; devices verify no release against it until they get a newer root");
        }
    }

    static void describe(PrintStream out, RootMetadata root, SignedEnvelope envelope) {
        out.println("version:  " + root.version());
        out.println("expires:  " + Io.time(root.expires()));
        out.println("root keys (threshold " + root.rootRole().threshold() + " of " + root.rootRole().keyids().size() + "):");
        for (String id : root.rootRole().keyids()) out.println("  " + id);
        out.println("release keys (threshold " + root.releaseRole().threshold() + " of " + root.releaseRole().keyids().size() + "):");
        for (String id : root.releaseRole().keyids()) out.println("  " + id);
        out.println("signed by:");
        for (Signature s : envelope.signatures()) out.println("  " + s.keyid());
    }

    /**
     * Null when {@code role}'s threshold of {@code keys}' root role is met by valid signatures,
     * otherwise which threshold is not met and whose signatures are missing. A signature by a
     * root key that does not verify is an error: the content changed after it was signed.
     */
    static String unmet(String label, RootMetadata keys, SignedEnvelope envelope) throws CliException {
        RootMetadata.Role role = keys.rootRole();
        byte[] message = envelope.canonicalSigned();
        Set<String> valid = new TreeSet<>();
        for (Signature s : envelope.signatures()) {
            if (!role.keyids().contains(s.keyid())) continue;
            if (!Ed25519.verify(keys.publicKey(s.keyid()), message, s.bytes())) {
                throw new CliException("the signature by root key " + s.keyid() + " does not match the content"
                        + " (was the file changed after it was signed?)");
            }
            valid.add(s.keyid());
        }
        if (valid.size() >= role.threshold()) return null;
        List<String> missing = new ArrayList<>(role.keyids());
        missing.removeAll(valid);
        int needed = role.threshold() - valid.size();
        return "the root threshold of " + label + " (" + role.threshold() + " of " + role.keyids().size() + ") is not met: "
                + valid.size() + " valid signature(s), " + needed + " more needed from " + String.join(", ", missing);
    }

    private static String join(String a, String b) {
        if (a == null) return b;
        return b == null ? a : a + "; " + b;
    }

    /** Refuses a signing key that is a root key of neither the previous nor the new version. */
    static void requireRootKey(Path file, String id, RootMetadata old, RootMetadata next) throws CliException {
        if (next.rootRole().keyids().contains(id)) return;
        if (old != null && old.rootRole().keyids().contains(id)) return;
        throw new CliException(file + ": key " + id + " is not a root key of " + (old == null ? "" : "v" + old.version() + " or ")
                + "v" + next.version() + "; its signature would not count");
    }

    static RootMetadata create(long version, Instant expires, List<PublicKey> root, int rootThreshold,
                               List<PublicKey> release, int releaseThreshold) throws CliException {
        try {
            return RootMetadata.create(version, expires, root, rootThreshold, release, releaseThreshold);
        } catch (IllegalArgumentException e) {
            throw new CliException("cannot build root v" + version + ": " + e.getMessage());
        }
    }

    static Signer signer(List<KeyPair> keys) throws CliException {
        try {
            return new Signer(keys);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** The keys of the key files (public parts only) followed by those given in base64. */
    static List<Keys.Public> publicKeys(List<Path> files, List<String> base64, String option) throws CliException {
        List<Keys.Public> keys = new ArrayList<>();
        for (Path file : files) keys.add(Keys.readPublic(file));
        for (String b64 : base64) keys.add(Keys.fromBase64(b64, option + " " + b64));
        return keys;
    }

    static List<PublicKey> keysOf(List<Keys.Public> keys) {
        List<PublicKey> out = new ArrayList<>();
        for (Keys.Public k : keys) out.add(k.key());
        return out;
    }

    /** A root key that also signs releases would sit on the online server: allowed, but worth a warning. */
    static void warnIfShared(Main.Context context, List<PublicKey> root, java.util.Collection<PublicKey> release) {
        Set<String> rootIds = new TreeSet<>();
        for (PublicKey k : root) rootIds.add(Ed25519.keyId(k));
        for (PublicKey k : release) {
            String id = Ed25519.keyId(k);
            if (rootIds.contains(id)) {
                context.err().println("warning: key " + id + " is both a root key and a release key; "
                        + "the release key lives on the online server, root keys should not");
            }
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Send a signed root file to a registry, byte for byte; the registry checks it continues its chain.",
                    "Prints the registry's view of the root as JSON."})
    static final class Publish extends RemoteAction {

        @Parameters(index = "0", paramLabel = "FILE", description = "The root file (e.g. 2.root.json).")
        Path file;

        @Override
        Object call(ModelyardClient client) throws Exception {
            return client.trust().publishRoot(new String(Io.read(file), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
