package dev.qstream.launcher.options;

import dev.qstream.runtime.http.BearerToken;
import dev.qstream.runtime.http.HttpExposure;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Where a service's training-data HTTP endpoint (actor API, dashboard) listens and the token it requires. Loopback
 * by default; another interface needs a token, or {@code --insecure} said explicitly.
 */
public final class HttpExposureOptions {

    @Option(names = {"--http-host", "--host"}, defaultValue = HttpExposure.LOOPBACK, paramLabel = "HOST",
            description = "Interface the HTTP endpoint binds; another than loopback needs a token or --insecure (default: ${DEFAULT-VALUE}).")
    public String host;

    @Option(names = "--http-token-file", paramLabel = "FILE",
            description = "File holding the bearer token the HTTP endpoint requires (else $" + BearerToken.ENV
                    + "; none = no auth, allowed on loopback only). Browsers open the dashboard at /?token=<token> once.")
    public Path tokenFile;

    @Option(names = "--insecure",
            description = "Serve HTTP on a non-loopback interface without a token: anyone who reaches it can send feedback "
                    + "that trains the model. Only on a network you trust.")
    public boolean insecure;

    /** The checked exposure; a bad token file, an unknown host or an open non-loopback bind fails here, before any connection. */
    public HttpExposure exposure() {
        return new HttpExposure(host, BearerToken.configured(tokenFile, System.getenv()), insecure);
    }
}
