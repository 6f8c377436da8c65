package dev.qstream.runtime.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BearerTokenTest {

    private static final String SECRET = "s3cret-token-0123456789";

    @Test
    void acceptsOnlyTheExactTokenInABearerHeader() {
        BearerToken token = BearerToken.of(SECRET);
        assertThat(token.acceptsHeader("Bearer " + SECRET)).isTrue();
        assertThat(token.acceptsHeader("bearer " + SECRET)).isTrue();
        assertThat(token.acceptsHeader("Bearer " + SECRET + "x")).isFalse();
        assertThat(token.acceptsHeader("Bearer " + SECRET.substring(1))).isFalse();
        assertThat(token.acceptsHeader("Basic " + SECRET)).isFalse();
        assertThat(token.acceptsHeader(SECRET)).isFalse();
        assertThat(token.acceptsHeader("")).isFalse();
        assertThat(token.acceptsHeader(null)).isFalse();
        assertThat(token.matches(null)).isFalse();
    }

    @Test
    void weakOrMalformedTokensAreRefused() {
        assertThatThrownBy(() -> BearerToken.of("short")).hasMessageContaining("at least 16 characters");
        assertThatThrownBy(() -> BearerToken.of("a token with spaces inside")).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> BearerToken.of("ünïcödé-token-0123456789")).hasMessageContaining("printable ASCII");
    }

    @Test
    void comesFromAFileFirstThenTheEnvironmentAndIsNeverPrinted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, SECRET + "\n");
        BearerToken fromFile = BearerToken.configured(file, Map.of(BearerToken.ENV, "another-token-9876543210")).orElseThrow();
        assertThat(fromFile.acceptsHeader("Bearer " + SECRET)).isTrue();
        assertThat(fromFile.toString()).doesNotContain(SECRET);
        assertThat(BearerToken.configured(null, Map.of(BearerToken.ENV, SECRET)).orElseThrow().matches(SECRET)).isTrue();
        assertThat(BearerToken.configured(null, Map.of())).isEmpty();
        assertThatThrownBy(() -> BearerToken.configured(dir.resolve("missing"), Map.of()))
                .hasMessageContaining("cannot read the HTTP token file");
    }
}
