package dev.qstream.policy.transport;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * HMAC-SHA256 signatures of published models over {@code modelName|version|sha256}: the learner signs, actors
 * verify, so a producer without the key cannot get weights served. The key is never logged or printed
 * ({@link #toString()} hides it).
 */
public final class ModelSigner {

    public static final String ENV_KEY = "QSTREAM_MODEL_SIGNING_KEY";
    public static final String ENV_KEY_FILE = "QSTREAM_MODEL_SIGNING_KEY_FILE";
    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] key;

    public ModelSigner(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("model-signing key must be at least 16 bytes");
        }
        this.key = key.clone();
    }

    /**
     * The key from a file (first line, trimmed) or the environment ({@value #ENV_KEY_FILE}, then
     * {@value #ENV_KEY}); empty when none is configured.
     */
    public static Optional<ModelSigner> fromConfig(Path keyFile, Map<String, String> environment) {
        try {
            if (keyFile != null) {
                return Optional.of(new ModelSigner(Files.readString(keyFile).strip().getBytes(StandardCharsets.UTF_8)));
            }
            String envFile = environment.get(ENV_KEY_FILE);
            if (envFile != null && !envFile.isBlank()) {
                return Optional.of(new ModelSigner(Files.readString(Path.of(envFile)).strip().getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the model-signing key file: " + e.getMessage(), e);
        }
        String value = environment.get(ENV_KEY);
        if (value != null && !value.isBlank()) {
            return Optional.of(new ModelSigner(value.strip().getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    public String sign(String modelName, long version, String sha256) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            byte[] tag = mac.doFinal((modelName + "|" + version + "|" + sha256).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Constant-time comparison of a presented signature with the expected one. */
    public boolean verify(String modelName, long version, String sha256, String signature) {
        if (signature == null) {
            return false;
        }
        byte[] expected = sign(modelName, version, sha256).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "ModelSigner[key=<hidden>]";
    }
}
