package dev.qstream.runtime.http;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpExposureTest {

    private static final Optional<BearerToken> TOKEN = Optional.of(BearerToken.of("a-token-of-enough-length"));

    @Test
    void loopbackNeedsNoToken() {
        for (String host : new String[] {"127.0.0.1", "localhost", "::1", "127.0.0.2"}) {
            HttpExposure exposure = new HttpExposure(host, Optional.empty(), false);
            assertThat(exposure.loopbackOnly()).as(host).isTrue();
            assertThat(exposure.token()).isEmpty();
        }
        assertThat(HttpExposure.loopback(Optional.empty()).host()).isEqualTo("127.0.0.1");
    }

    @Test
    void anotherInterfaceWithoutATokenIsRefusedWithTheWaysOut() {
        for (String host : new String[] {"0.0.0.0", "::"}) {
            assertThatThrownBy(() -> new HttpExposure(host, Optional.empty(), false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("refusing to serve HTTP on " + host + " without a token")
                    .hasMessageContaining("--http-token-file").hasMessageContaining("--insecure").hasMessageContaining("127.0.0.1");
        }
    }

    @Test
    void anotherInterfaceIsServedWithATokenOrWithExplicitConsent() {
        HttpExposure guarded = new HttpExposure("0.0.0.0", TOKEN, false);
        assertThat(guarded.loopbackOnly()).isFalse();
        assertThat(guarded.token()).isPresent();
        HttpExposure open = new HttpExposure("0.0.0.0", Optional.empty(), true);
        assertThat(open.token()).isEmpty();
        assertThat(open.insecure()).isTrue();
    }

    @Test
    void anUnknownHostIsAClearError() {
        assertThatThrownBy(() -> new HttpExposure("no-such-host.invalid", TOKEN, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no-such-host.invalid: unknown host");
    }

    @Test
    void freshSecretsAreLongEnoughDistinctAndAccepted() {
        String a = BearerToken.newSecret();
        String b = BearerToken.newSecret();
        assertThat(a).hasSize(32).isNotEqualTo(b).matches("[A-Za-z0-9_-]+");
        assertThat(BearerToken.of(a).matches(a)).isTrue();
        assertThat(BearerToken.of(a).matches(b)).isFalse();
    }
}
