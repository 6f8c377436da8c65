package dev.qstream.ops.deploy;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml is linted, not run, in CI (no Docker engine there): {@code docker-compose config} must accept
 * it and it must declare the broker and every service.
 */
class ComposeFileTest {

    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s failed: %s", Arrays.toString(command), text).isZero();
        return text;
    }

    private static boolean hasDockerCompose() {
        try {
            return new ProcessBuilder("docker-compose", "version").start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void composeFileIsValidAndDeclaresTheBrokerAndEveryService() throws Exception {
        Assumptions.assumeTrue(hasDockerCompose(), "docker-compose is not installed (.ci/run installs it); compose lint skipped");
        assertThat(COMPOSE).exists();
        run("docker-compose", "-f", COMPOSE.toString(), "config", "-q");
        List<String> services = run("docker-compose", "-f", COMPOSE.toString(), "config", "--services").lines().map(String::strip).toList();
        assertThat(services).contains("kafka", "actor-1", "actor-2", "scorer", "learner", "ops");
        String text = Files.readString(COMPOSE);
        assertThat(text).contains("apache/kafka:").contains("QSTREAM_BOOTSTRAP_SERVERS: kafka:9092");
    }
}
