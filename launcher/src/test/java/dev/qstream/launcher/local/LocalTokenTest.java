package dev.qstream.launcher.local;

import dev.qstream.runtime.http.BearerToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LocalTokenTest {

    @TempDir
    Path dir;

    @Test
    void upsTokenIsWrittenForItsOwnerOnlyAndIsWhatServicesRead() throws Exception {
        LocalToken token = LocalToken.create(dir);
        assertThat(token.file()).isEqualTo(dir.resolve("http-token"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token.file()))).isEqualTo("rw-------");
        String secret = Files.readString(token.file()).strip();
        // What an actor started with --http-token-file reads is what the dashboard requires.
        BearerToken read = BearerToken.configured(token.file(), Map.of()).orElseThrow();
        assertThat(read.matches(secret)).isTrue();
        assertThat(token.bearer().matches(secret)).isTrue();
        assertThat(token.dashboardUrl("http://127.0.0.1:8080/")).isEqualTo("http://127.0.0.1:8080/?token=" + secret);
    }

    @Test
    void everyRunGetsItsOwnToken() throws Exception {
        String first = Files.readString(LocalToken.create(dir).file());
        String second = Files.readString(LocalToken.create(dir).file());
        assertThat(first).isNotEqualTo(second);
    }
}
