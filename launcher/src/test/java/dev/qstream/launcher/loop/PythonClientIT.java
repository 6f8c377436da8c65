package dev.qstream.launcher.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.actor.service.ActorConfig;
import dev.qstream.actor.service.ActorService;
import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.FeedbackKind;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.scorer.feedback.FeedbackConfig;
import dev.qstream.scorer.reward.RewardConfig;
import dev.qstream.scorer.stream.ScorerConfig;
import dev.qstream.scorer.stream.ScorerService;
import dev.qstream.tasks.DataToTextTask;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Python client in examples/python against the embedded broker, an actor and the scorer: it sends a prompt and
 * reads the actor's generation, sends feedback that the scorer joins into the scored generation, and finds its
 * expired prompt on the dead-letter topic; then the services' own serdes read what Python wrote. Skipped where
 * python3 with confluent_kafka and avro is missing (.ci/run installs Debian's python3-confluent-kafka and
 * python3-avro).
 */
class PythonClientIT {

    private static final Path EXAMPLE = Path.of("..", "examples", "python", "qstream_example.py");
    private static final String PREFIX = "pyit";
    /**
     * Several partitions, so that a client partitioning differently from Java is caught: each of the three keyed
     * records it writes would have to land where murmur2 puts it by chance (1 in 8 each).
     */
    private static final int PARTITIONS = 8;

    private static EmbeddedKafkaBroker broker;
    private static KafkaSettings settings;
    private static final List<AutoCloseable> services = new ArrayList<>();

    @BeforeAll
    static void startBrokerActorAndScorer() throws Exception {
        Assumptions.assumeTrue(python() != null,
                "python3 with confluent_kafka and avro not found (apt-get install python3-confluent-kafka python3-avro)");
        broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
        settings = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(PREFIX, PARTITIONS, (short) 1), Map.of());
        List<TaskPrompt> task = DataToTextTask.generate(3, 300);
        Vocabulary vocabulary = TaskVocabulary.of(task);

        // Human feedback weighs in, and an episode is scored as soon as its first feedback arrives: the scored
        // generation then carries the Python client's feedback only if the scorer found it on the episode's partition.
        ScorerConfig scorerConfig = ScorerConfig.defaults(settings.layout(), Files.createTempDirectory("pyit-scorer-"))
                .withReward(new RewardConfig(RewardConfig.Metric.ROUGE_L, false, 1.0, 0.0, 0.5, 0.0, 64, 0.0, 0.0,
                        RewardConfig.Shaping.DELTA))
                .withFeedback(FeedbackConfig.defaults().withWindow(Duration.ofMinutes(10)).withEmitOnFirstFeedback(true));
        services.add(ScorerService.start(scorerConfig, context("scorer", "scorer-pyit")));

        // Every referenced prompt also yields a teacher-forced DEMONSTRATION episode with the same prompt id, which
        // the client must tell apart from the generation that answers it.
        ActorConfig actorConfig = ActorConfig.builder("actor-pyit", vocabulary).hidden(32).maxTokens(16)
                .commonWords(TaskVocabulary.commonWordsFor(task, vocabulary, TaskVocabulary.DEFAULT_MASK_COVERAGE))
                .demonstrationFraction(1.0).signer(Optional.of(LoopScenario.KEY)).groupId(PREFIX + "-actors")
                .catchUpTimeout(Duration.ofSeconds(30)).httpPort(-1).build();
        services.add(ActorService.start(actorConfig, context("actor", "actor-pyit")));
    }

    private static ServiceContext context(String source, String instance) {
        ServiceContext context = ServiceContext.start(settings, source, instance, Duration.ofSeconds(30), Duration.ofSeconds(1));
        services.add(context);
        return context;
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aPythonClientTalksToTheLoopAndTheServicesReadWhatItWrote() throws Exception {
        String promptId = "py-it-" + UUID.randomUUID();
        PythonRun run = runExample(List.of("--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", PREFIX,
                "--prompt-id", promptId, "--feedback", "thumbs-up", "--dead-letter-probe",
                // The services write LZ4 (their default); the client writes zstd; each side must read the other's.
                "--compression", "zstd", "--timeout", "90"));
        System.out.println("examples/python/qstream_example.py said:\n" + run.output());
        assertThat(run.exitCode).as("python exit code; its output:%n%s", run.output()).isZero();

        // What Python read, using the services' topics as documented.
        JsonNode generation = run.event("generation");
        String episodeId = generation.get("episodeId").asText();
        assertThat(UUID.fromString(episodeId)).isNotNull();
        assertThat(generation.get("text").asText()).isNotBlank();
        assertThat(generation.get("key").asText()).as("generations are keyed by episode id").isEqualTo(episodeId);
        JsonNode scored = run.event("scored");
        assertThat(scored.get("episodeId").asText()).isEqualTo(episodeId);
        assertThat(scored.get("human").asDouble())
                .as("the scorer joined the Python client's thumbs-up into the episode's scores").isEqualTo(1.0);
        JsonNode deadLetter = run.event("dead_letter");
        assertThat(deadLetter.get("reason").asText()).isEqualTo(DeadLetterReason.PROCESSING.name());
        assertThat(deadLetter.get("error").asText()).contains("expired");
        assertThat(deadLetter.get("sourceTopic").asText()).isEqualTo(settings.topic(QstreamTopic.PROMPTS));
        assertThat(deadLetter.get("promptId").asText()).isEqualTo(promptId + "-expired");

        // What the services make of what Python wrote: the real serdes decode it.
        Prompt prompt = null;
        Prompt expired = null;
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.PROMPTS)) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertThat(r.partition()).as("partition of prompt %s", key).isEqualTo(javaPartition(r.key()));
            if (key.equals(promptId)) {
                prompt = Serdes.PROMPT.decode(r.value());
            } else if (key.equals(promptId + "-expired")) {
                expired = Serdes.PROMPT.decode(r.value());
            }
        }
        assertThat(prompt).as("the Python prompt on %s", settings.topic(QstreamTopic.PROMPTS)).isNotNull();
        assertThat(prompt.getPromptId()).isEqualTo(promptId);
        assertThat(prompt.getText()).isEqualTo("name[strada] food[japanese] price[cheap] area[city centre]");
        assertThat(prompt.getReferences()).contains("strada serves cheap japanese food in the city centre area.");
        assertThat(prompt.getTask()).isEqualTo("python-example");
        assertThat(prompt.getDeadline()).isNull();
        assertThat(prompt.getCreatedAt()).isBetween(Instant.now().minus(Duration.ofMinutes(5)), Instant.now());
        assertThat(expired).isNotNull();
        assertThat(expired.getDeadline()).isBefore(expired.getCreatedAt());

        List<ConsumerRecord<byte[], byte[]>> feedbackRecords = TopicContents.read(settings, QstreamTopic.FEEDBACK);
        assertThat(feedbackRecords).hasSize(1);
        ConsumerRecord<byte[], byte[]> feedbackRecord = feedbackRecords.get(0);
        Feedback feedback = Serdes.FEEDBACK.decode(feedbackRecord.value());
        assertThat(feedback.getEpisodeId().toString()).isEqualTo(episodeId);
        assertThat(feedback.getKind()).isEqualTo(FeedbackKind.THUMBS);
        assertThat(feedback.getValue()).isEqualTo(1.0);
        assertThat(feedback.getSource()).isEqualTo("python-example");
        assertThat(new String(feedbackRecord.key(), StandardCharsets.UTF_8)).isEqualTo(episodeId);
        // Python partitions like Java: murmur2 of the key, so feedback sits with its episode.
        assertThat(feedbackRecord.partition()).isEqualTo(javaPartition(feedbackRecord.key()))
                .isEqualTo(generation.get("partition").asInt());

        assertThat(TopicContents.read(settings, QstreamTopic.DLQ)).as("nothing Python wrote was refused but the probe")
                .allSatisfy(r -> assertThat(Serdes.DEAD_LETTER.decode(r.value()).getReason()).isEqualTo(DeadLetterReason.PROCESSING));
    }

    /** Where Java's default partitioner puts a key: murmur2 of its bytes. */
    private static int javaPartition(byte[] key) {
        return Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
    }

    /** A python3 that has both modules, or null. Debian's packages install for /usr/bin/python3, which a PATH may shadow. */
    private static String python() {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import confluent_kafka, avro").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
            } catch (IOException e) {
                // not installed under this name
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static PythonRun runExample(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(python(), EXAMPLE.toString()));
        command.addAll(args);
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(stderr unreadable: " + e + ")";
            }
        });
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        return new PythonRun(process.exitValue(), stdout, stderr.get(1, TimeUnit.MINUTES));
    }

    private record PythonRun(int exitCode, String stdout, String stderr) {

        private static final ObjectMapper JSON = new ObjectMapper();

        String output() {
            return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
        }

        /** The first JSON line the example printed for {@code event}. */
        JsonNode event(String event) throws IOException {
            for (String line : stdout.split("\n")) {
                if (line.startsWith("{")) {
                    JsonNode node = JSON.readTree(line);
                    if (event.equals(node.path("event").asText())) {
                        return node;
                    }
                }
            }
            throw new AssertionError("the example printed no '" + event + "' event; " + output());
        }
    }
}
