package dev.qstream.launcher.local;

import dev.qstream.runtime.http.BearerToken;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The bearer token {@code up} makes for its run: written to a file only its user can read (the actors read it with
 * {@code --http-token-file}; the local Prometheus config points at it), given to the dashboard, and shown once in
 * the dashboard's URL so the person who ran {@code up} can open it. Nothing on the stack's HTTP ports answers a
 * training-data route without it, even on loopback: another local user could otherwise steer the model.
 */
public final class LocalToken {

    private final String secret;
    private final Path file;

    private LocalToken(String secret, Path file) {
        this.secret = secret;
        this.file = file;
    }

    /** A fresh token, written to {@code dir/http-token} with owner-only permissions. */
    public static LocalToken create(Path dir) throws IOException {
        String secret = BearerToken.newSecret();
        Path file = dir.resolve("http-token");
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, secret + "\n");
        return new LocalToken(secret, file);
    }

    public Path file() {
        return file;
    }

    public BearerToken bearer() {
        return BearerToken.of(secret);
    }

    /** The dashboard's address with the token, which the dashboard trades for a cookie and drops from the bar. */
    public String dashboardUrl(String dashboardUrl) {
        return dashboardUrl + "?token=" + secret;
    }
}
