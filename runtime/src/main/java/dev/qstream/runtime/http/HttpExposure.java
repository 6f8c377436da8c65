package dev.qstream.runtime.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an HTTP endpoint that takes training data (the actor's API, the dashboard's feedback buttons) listens, and
 * the token it then requires. Feedback is training data: whoever reaches the port can steer the model. So the
 * default is loopback, and binding any other interface without a token is refused unless the user says
 * {@code --insecure} in so many words.
 *
 * @param host     interface to bind (a name or an address; {@code 0.0.0.0} = every interface)
 * @param token    bearer token every training-data route requires; empty = none
 * @param insecure the user's explicit consent to serve another interface without a token
 */
public record HttpExposure(String host, Optional<BearerToken> token, boolean insecure) {

    /** The default interface: only this machine can reach the endpoint. */
    public static final String LOOPBACK = "127.0.0.1";

    public HttpExposure {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(token, "token");
        if (!isLoopback(host) && token.isEmpty() && !insecure) {
            throw new IllegalArgumentException("refusing to serve HTTP on " + host + " without a token: anyone who can "
                    + "reach it could send feedback, which trains the model. Give a token (--http-token-file FILE or $"
                    + BearerToken.ENV + "), bind " + LOOPBACK + ", or pass --insecure to accept the risk");
        }
    }

    /** Loopback, with a token when one is given. */
    public static HttpExposure loopback(Optional<BearerToken> token) {
        return new HttpExposure(LOOPBACK, token, false);
    }

    /** Whether only this machine can connect: a loopback address or a name that resolves to one. */
    public boolean loopbackOnly() {
        return isLoopback(host);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot bind HTTP to " + host + ": unknown host", e);
        }
    }
}
