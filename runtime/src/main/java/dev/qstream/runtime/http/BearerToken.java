package dev.qstream.runtime.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The shared secret an HTTP API requires when one is configured (actor API, ops dashboard). Compared in constant
 * time; never printed: {@link #toString()} says only that a token is set.
 */
public final class BearerToken {

    /** Environment variable holding the token when no file is given. */
    public static final String ENV = "QSTREAM_HTTP_TOKEN";
    /** Shortest token accepted: a guessable secret is worse than none, because it looks like protection. */
    public static final int MIN_LENGTH = 16;

    private final byte[] secret;

    private BearerToken(String token) {
        if (token == null || token.strip().length() < MIN_LENGTH) {
            throw new IllegalArgumentException("an HTTP bearer token must have at least " + MIN_LENGTH + " characters");
        }
        if (!token.strip().chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("an HTTP bearer token must be printable ASCII without spaces");
        }
        this.secret = token.strip().getBytes(StandardCharsets.US_ASCII);
    }

    public static BearerToken of(String token) {
        return new BearerToken(token);
    }

    /**
     * A fresh random secret (192 bits, URL-safe Base64, 32 characters) for a caller that must hand it on, e.g.
     * {@code up} writing it to a file its services read and printing the dashboard's URL with it once.
     */
    public static String newSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The token from a file (first line, trimmed) when given, else from {@value #ENV}; empty = no auth.
     *
     * @throws IllegalArgumentException when the file cannot be read or the token is too weak
     */
    public static Optional<BearerToken> configured(Path file, Map<String, String> environment) {
        if (file != null) {
            try {
                return Optional.of(new BearerToken(Files.readString(file).lines().findFirst().orElse("")));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the HTTP token file " + file + ": " + e.getMessage(), e);
            }
        }
        String value = environment.get(ENV);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(new BearerToken(value));
    }

    /** True when {@code presented} is the token (constant time in the token's length). */
    public boolean matches(String presented) {
        byte[] p = presented == null ? new byte[0] : presented.strip().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(p, secret);
    }

    /** True when an {@code Authorization} header value carries the token as {@code Bearer <token>}. */
    public boolean acceptsHeader(String authorization) {
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) && matches(authorization.substring(7));
    }

    @Override
    public String toString() {
        return "BearerToken[set]";
    }
}
