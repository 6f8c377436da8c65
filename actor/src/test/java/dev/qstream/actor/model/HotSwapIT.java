package dev.qstream.actor.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.actor.ActorFixture;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.Transition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hot swaps on a real (embedded) broker: under concurrent HTTP load no request is lost and every step's action comes
 * from the weights of exactly the version the step reports; corrupt, unsigned, older and foreign-shaped updates are
 * refused, dead-lettered and counted while the current model keeps serving.
 */
class HotSwapIT {

    private static EmbeddedKafkaBroker broker;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static HttpResponse<String> generate(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"w1 w2 w3\",\"strategy\":\"greedy\"}"))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Requests each version answers before the next one is published. */
    private static final int REQUESTS_PER_VERSION = 4;

    @Test
    void swapsUnderConcurrentLoadLoseNoRequestAndNeverMixVersionsInAStep() throws Exception {
        try (ActorFixture f = new ActorFixture(broker.bootstrapServers(), "swap", b -> b.maxBatch(16))) {
            f.publish(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> f.actor.servedModelVersion() == 1);
            int port = f.actor.httpPort();
            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicInteger answered = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<int[]>> results = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                results.add(clients.submit(() -> {
                    int ok = 0;
                    int failed = 0;
                    while (loading.get()) {
                        HttpResponse<String> r = generate(port);
                        if (r.statusCode() == 200) {
                            JsonNode body = JSON.readTree(r.body());
                            assertThat(body.get("episodeId").asText()).isNotBlank();
                            ok++;
                            answered.incrementAndGet();
                        } else {
                            failed++;
                        }
                    }
                    return new int[]{ok, failed};
                }));
            }
            // Conditions, not the clock: each version serves some requests before the next is published, however
            // slow the machine (eleven swaps with requests in flight across every one of them).
            for (long v = 2; v <= 12; v++) {
                int before = answered.get();
                await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() >= before + REQUESTS_PER_VERSION);
                f.publish(v);
                long published = v;
                await().atMost(Duration.ofSeconds(60)).until(() -> f.actor.servedModelVersion() == published);
            }
            int beforeStop = answered.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() >= beforeStop + REQUESTS_PER_VERSION);
            loading.set(false);
            int ok = 0;
            for (Future<int[]> r : results) {
                int[] counts = r.get();
                assertThat(counts[1]).as("failed requests").isZero();
                ok += counts[0];
            }
            clients.shutdown();
            assertThat(ok).isGreaterThanOrEqualTo(12 * REQUESTS_PER_VERSION);

            // Every first step chose the token of the version it reports: its decision used that version's weights only.
            List<Transition> firstSteps = f.transitions().stream().filter(t -> t.getStep() == 0).toList();
            assertThat(firstSteps).hasSizeGreaterThanOrEqualTo(ok);
            assertThat(firstSteps.stream().map(Transition::getPolicyVersion).distinct().count()).isGreaterThan(3);
            assertThat(firstSteps.stream().mapToLong(Transition::getPolicyVersion).max().orElse(0)).isEqualTo(12);
            for (Transition t : firstSteps) {
                assertThat(t.getAction()).as("version %d", t.getPolicyVersion()).isEqualTo(ActorFixture.tokenOf(t.getPolicyVersion()));
            }
        }
    }

    @Test
    void corruptUnsignedOlderAndForeignUpdatesAreRefusedWhileTheCurrentModelServes() throws Exception {
        try (ActorFixture f = new ActorFixture(broker.bootstrapServers(), "refuse", b -> { })) {
            f.publish(5);
            await().atMost(Duration.ofSeconds(30)).until(() -> f.actor.servedModelVersion() == 5);

            List<ModelUpdate> tampered = f.chunks(6, Optional.of(ActorFixture.KEY), ActorFixture.weightsFor(6), Vocabulary.synthetic(40).fingerprint());
            ByteBuffer data = tampered.get(1).getData();
            byte[] bytes = new byte[data.remaining()];
            data.duplicate().get(bytes);
            bytes[7] ^= 0x55;
            tampered.get(1).setData(ByteBuffer.wrap(bytes));
            f.send(tampered);
            f.send(f.chunks(7, Optional.empty(), ActorFixture.weightsFor(7), ActorFixture.VOCABULARY.fingerprint()));
            f.send(f.chunks(4, Optional.of(ActorFixture.KEY), ActorFixture.weightsFor(4), ActorFixture.VOCABULARY.fingerprint()));
            Vocabulary other = Vocabulary.synthetic(50);
            QNetworkSpec otherSpec = new QNetworkSpec(ActorFixture.ENCODER, 8, other.size());
            f.send(f.chunks(8, Optional.of(ActorFixture.KEY), new QNetworkWeights(otherSpec, new float[otherSpec.inputs() * 8],
                    new float[8], new float[other.size() * 8], new float[other.size()]), other.fingerprint()));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<DeadLetter> refused = f.deadLetters().stream().filter(l -> l.getReason() == DeadLetterReason.REFUSED_MODEL).toList();
                assertThat(refused).extracting(DeadLetter::getError).anyMatch(e -> e.contains("version 6") && e.contains("SHA-256 mismatch"));
                assertThat(refused).extracting(DeadLetter::getError).anyMatch(e -> e.contains("version 7") && e.contains("unsigned"));
                assertThat(refused).extracting(DeadLetter::getError).anyMatch(e -> e.contains("version 4") && e.contains("not newer"));
                assertThat(refused).extracting(DeadLetter::getError).anyMatch(e -> e.contains("version 8") && e.contains("does not fit"));
            });
            assertThat(f.actor.servedModelVersion()).isEqualTo(5);
            HttpResponse<String> r = generate(f.actor.httpPort());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("modelVersion").asLong()).isEqualTo(5);
            assertThat(f.context.registry().get("actor.model.refused").counter().count()).isGreaterThanOrEqualTo(4);

            f.publish(9); // a good update after the bad ones is taken
            await().atMost(Duration.ofSeconds(30)).until(() -> f.actor.servedModelVersion() == 9);

            // Signed with the right key but diverged: a NaN weight; and well-formed but signed with another key.
            QNetworkWeights diverged = ActorFixture.weightsFor(10);
            diverged.w2()[3] = Float.NaN;
            f.send(f.chunks(10, Optional.of(ActorFixture.KEY), diverged, ActorFixture.VOCABULARY.fingerprint()));
            ModelSigner foreignKey = new ModelSigner("someone-else-signing-key-0123456789".getBytes(StandardCharsets.UTF_8));
            f.send(f.chunks(11, Optional.of(foreignKey), ActorFixture.weightsFor(11), ActorFixture.VOCABULARY.fingerprint()));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<DeadLetter> refused = f.deadLetters().stream().filter(l -> l.getReason() == DeadLetterReason.REFUSED_MODEL).toList();
                assertThat(refused).extracting(DeadLetter::getError).anyMatch(e -> e.contains("version 10") && e.contains("not finite"));
                assertThat(refused).extracting(DeadLetter::getError).anyMatch(e -> e.contains("version 11") && e.contains("signature does not verify"));
            });
            assertThat(f.actor.servedModelVersion()).isEqualTo(9);
            f.publish(12);
            await().atMost(Duration.ofSeconds(30)).until(() -> f.actor.servedModelVersion() == 12);
        }
    }
}
