package dev.qstream.bench;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.runtime.kafka.Compression;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.EndReason;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Producer throughput and bytes on the broker per {@code compression.type}, with the settings every qstream producer
 * uses ({@link KafkaSettings#producer}: idempotent, acks=all, 64 KiB batches, linger 5 ms), on the embedded broker,
 * for the records of the busiest topic: actor transitions (pre-encoded, so only the producer and broker are timed).
 * Codecs are measured in turn, {@code rounds} times over after a warm-up round (JIT, page cache), each run into a
 * topic of its own created beforehand; only sending and flushing is timed (not the producer's start or metadata).
 */
final class ProducerCompressionBench {

    record Result(Compression compression, int round, long records, long rawBytes, double seconds, long bytesOnBroker) {
        double recordsPerSec() {
            return records / seconds;
        }

        double rawMbPerSec() {
            return rawBytes / seconds / 1e6;
        }
    }

    private final int episodes;
    private final int steps;
    private final int rounds;
    private final List<Compression> codecs;

    ProducerCompressionBench(int episodes, int steps, int rounds, List<Compression> codecs) {
        this.episodes = episodes;
        this.steps = steps;
        this.rounds = rounds;
        this.codecs = codecs;
    }

    List<Result> run() throws Exception {
        List<byte[][]> records = transitions();
        long rawBytes = records.stream().mapToLong(kv -> kv[0].length + kv[1].length).sum();
        List<Result> results = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral());
             Admin admin = Admin.create(KafkaSettings.of(broker.bootstrapServers()).admin("bench-admin"))) {
            KafkaSettings settings = new KafkaSettings(broker.bootstrapServers(), TopicLayout.defaults(), Map.of());
            List<NewTopic> topics = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                for (Compression codec : codecs) {
                    topics.add(new NewTopic(topic(codec, round), 4, (short) 1));
                }
            }
            admin.createTopics(topics).all().get();
            for (int round = 0; round <= rounds; round++) {
                for (Compression codec : codecs) {
                    String topic = topic(codec, round);
                    double seconds;
                    try (KafkaProducer<byte[], byte[]> producer =
                                 new KafkaProducer<>(settings.withCompression(codec).producer("bench-" + codec.configValue()))) {
                        awaitLeaders(producer, topic);
                        long start = System.nanoTime();
                        for (byte[][] kv : records) {
                            producer.send(new ProducerRecord<>(topic, kv[0], kv[1]));
                        }
                        producer.flush();
                        seconds = (System.nanoTime() - start) / 1e9;
                    }
                    Result r = new Result(codec, round, records.size(), rawBytes, seconds, bytesOnBroker(admin, topic));
                    System.out.printf("  %-6s %s: %,.0f records/s, %.1f MB/s of records, %,d bytes on the broker%n",
                            codec.configValue(), round == 0 ? "warm-up" : "round " + round, r.recordsPerSec(),
                            r.rawMbPerSec(), r.bytesOnBroker());
                    if (round > 0) {
                        results.add(r);
                    }
                }
            }
        }
        return results;
    }

    private static String topic(Compression codec, int round) {
        return "bench-compression-" + codec.configValue() + "-" + round;
    }

    /** Sends nothing until every partition has a leader: a send to a partition still electing one is retried. */
    private static void awaitLeaders(KafkaProducer<byte[], byte[]> producer, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (producer.partitionsFor(topic).stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(topic + " has partitions without a leader after 30 s");
            }
            Thread.sleep(50);
        }
    }

    private static long bytesOnBroker(Admin admin, String topic) throws Exception {
        long total = 0;
        for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(List.of(1)).allDescriptions().get().values()) {
            for (LogDirDescription dir : dirs.values()) {
                total += dir.replicaInfos().entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                        .mapToLong(e -> e.getValue().size()).sum();
            }
        }
        return total;
    }

    /** Key and value of {@code episodes × steps} transitions as an actor writes them: growing prefixes, a mask each. */
    private List<byte[][]> transitions() {
        Random random = new Random(17);
        List<byte[][]> records = new ArrayList<>(episodes * steps);
        for (int e = 0; e < episodes; e++) {
            String episodeId = new UUID(random.nextLong(), random.nextLong()).toString();
            byte[] key = episodeId.getBytes(StandardCharsets.UTF_8);
            List<Integer> prompt = new ArrayList<>();
            for (int i = 0; i < 12 + random.nextInt(12); i++) {
                prompt.add(random.nextInt(2_000));
            }
            List<Integer> prefix = new ArrayList<>();
            for (int s = 0; s < steps; s++) {
                List<Integer> valid = new ArrayList<>(prompt.subList(0, Math.min(prompt.size(), 16)));
                for (int i = 0; i < 15; i++) {
                    valid.add(i); // the common words every mask offers
                }
                int action = valid.get(random.nextInt(valid.size()));
                boolean done = s == steps - 1;
                Transition t = Transition.newBuilder().setEpisodeId(episodeId).setPromptId("data-to-text-" + random.nextInt(300))
                        .setActorId("actor-1").setStep(s).setPromptTokens(prompt).setPrefixTokens(new ArrayList<>(prefix))
                        .setAction(action).setActionToken("w" + action).setValidActions(valid).setDone(done)
                        .setEndReason(done ? EndReason.END_OF_SEQUENCE : null).setPolicyVersion(12)
                        .setBehaviourProbability(0.9).setExploration(ExplorationStrategy.EPSILON_GREEDY)
                        .setDecisionMicros(30 + random.nextInt(40)).setCreatedAt(System.currentTimeMillis()).build();
                records.add(new byte[][]{key, Serdes.TRANSITION.encode(t)});
                prefix.add(action);
            }
        }
        return records;
    }
}
