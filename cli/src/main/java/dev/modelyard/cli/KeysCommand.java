package dev.modelyard.cli;

import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.KeyFile;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Create and inspect Ed25519 key files.",
        subcommands = {KeysCommand.Generate.class, KeysCommand.Show.class})
final class KeysCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Create a new Ed25519 key and write it to a key file readable only by its owner. "
                    + "Prints the key id.",
                    "With a passphrase the private key is encrypted (PBKDF2-HMAC-SHA256, AES-256-GCM); "
                            + "without one it is stored in clear. An existing file is never overwritten."})
    static final class Generate extends Action {

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The key file to create.")
        Path out;

        @Mixin
        PassphraseOptions passphrase;

        @Override
        void run(Main.Context context) throws Exception {
            if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                throw new CliException(out + ": already exists; refusing to overwrite a key file");
            }
            char[] secret = passphrase.get(context);
            KeyPair pair = Ed25519.generate();
            try {
                KeyFile.save(out, pair, secret);
            } catch (FileAlreadyExistsException e) {
                throw new CliException(out + ": already exists; refusing to overwrite a key file");
            } catch (IOException e) {
                throw new CliException(Io.describe(e));
            }
            context.out().println(Keys.keyId(pair));
            if (secret == null) {
                context.err().println("note: " + out + " is not encrypted (use --passphrase-file or --passphrase-env to encrypt it)");
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print a key file's key id and base64 public key. Needs no passphrase.")
    static final class Show extends Action {

        @Parameters(paramLabel = "FILE", description = "A key file.")
        Path file;

        @Override
        void run(Main.Context context) throws Exception {
            Keys.Public key = Keys.readPublic(file);
            context.out().println("key id:     " + key.keyId());
            context.out().println("public key: " + key.base64());
            context.out().println("encrypted:  " + (key.encrypted() ? "yes" : "no"));
        }
    }
}
