package dev.qstream.launcher.deploy;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml is linted, not run, in CI (no Docker engine there): {@code docker-compose config} must accept
 * it and it must declare the broker, every service, and Prometheus and Grafana with the files they mount; Prometheus
 * must scrape exactly the qstream services.
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
        assertThat(services).contains("kafka-1", "kafka-2", "kafka-3", "actor-1", "actor-2", "scorer", "scorer-2", "learner",
                "learner-standby", "ops", "prometheus", "grafana");
        String text = Files.readString(COMPOSE);
        assertThat(text).contains("apache/kafka:").contains("QSTREAM_BOOTSTRAP_SERVERS: kafka-1:9092,kafka-2:9092,kafka-3:9092")
                .contains("KAFKA_CONTROLLER_QUORUM_VOTERS: 1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093").contains("QSTREAM_REPLICATION_FACTOR: \"3\"")
                .contains("QSTREAM_METRICS_PORT: \"9400\"").contains("prom/prometheus:").contains("grafana/grafana:");
        // Inside containers the HTTP endpoints bind every interface, which qstream refuses without a token: every
        // qstream service and Prometheus get the token file as a compose secret, and none says --insecure.
        assertThat(text).contains("QSTREAM_HTTP_HOST: 0.0.0.0").contains("QSTREAM_HTTP_TOKEN_FILE: /run/secrets/qstream_http_token")
                .contains("file: ./.qstream-http-token").doesNotContain("--insecure").doesNotContain("QSTREAM_INSECURE");
        String resolved = run("docker-compose", "-f", COMPOSE.toString(), "config");
        assertThat(resolved.split("qstream_http_token", -1).length - 1).as("secret references in the resolved file")
                .isGreaterThanOrEqualTo(9); // 7 qstream services + prometheus + the top-level declaration
    }

    @Test
    void prometheusScrapesEveryQstreamServiceAndTheMountedFilesExist() throws Exception {
        String compose = Files.readString(COMPOSE);
        for (String mounted : List.of("deploy/prometheus/prometheus.yml", "deploy/grafana/provisioning", "deploy/grafana/qstream.json")) {
            assertThat(compose).contains("./" + mounted + ":");
            assertThat(Path.of("..", mounted)).exists();
        }
        String prometheus = Files.readString(Path.of("..", "deploy", "prometheus", "prometheus.yml"));
        Set<String> scraped = new TreeSet<>();
        Matcher m = Pattern.compile("'([a-z0-9-]+):(\\d+)'").matcher(prometheus);
        while (m.find()) {
            scraped.add(m.group(1) + ":" + m.group(2));
        }
        assertThat(scraped).containsExactlyInAnyOrder("scorer:9400", "scorer-2:9400", "learner:9400", "learner-standby:9400", "actor-1:9400", "actor-2:9400", "ops:8080");
        assertThat(prometheus).contains("honor_labels: true").contains("credentials_file: /run/secrets/qstream_http_token");
        String datasource = Files.readString(Path.of("..", "deploy", "grafana", "provisioning", "datasources", "prometheus.yml"));
        assertThat(datasource).contains("uid: prometheus").contains("url: http://prometheus:9090");
    }
}
