package dev.qstream.launcher.options;

import dev.qstream.policy.transport.ModelSigner;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** Where the model-signing key comes from; the key itself is never printed or logged. */
public final class SigningOptions {

    @Option(names = "--model-key-file", paramLabel = "FILE",
            description = "File holding the HMAC key models are signed with (else $" + ModelSigner.ENV_KEY_FILE
                    + " or $" + ModelSigner.ENV_KEY + ").")
    public Path keyFile;

    @Option(names = "--allow-unsigned-models",
            description = "Run without a model-signing key: models are published unsigned and accepted unsigned. "
                    + "For development only.")
    public boolean allowUnsigned;

    public Optional<ModelSigner> signer() {
        Optional<ModelSigner> signer = ModelSigner.fromConfig(keyFile, System.getenv());
        if (signer.isEmpty() && !allowUnsigned) {
            throw new IllegalArgumentException("no model-signing key: set $" + ModelSigner.ENV_KEY + ", $"
                    + ModelSigner.ENV_KEY_FILE + " or --model-key-file (or pass --allow-unsigned-models for development)");
        }
        return signer;
    }
}
