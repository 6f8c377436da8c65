package dev.qstream.launcher.loop;

import dev.qstream.launcher.cli.BrokerCommand;
import dev.qstream.launcher.local.ChildJvm;
import dev.qstream.launcher.local.LocalBrokers;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.scored.ScoredRecords;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.tasks.DataToTextTask;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The loop on a three-broker KRaft cluster (each broker a JVM of its own, as {@code up --brokers 3} runs them; topics
 * with three copies, {@code min.insync.replicas=2}) while traffic flows, losing brokers the way machines die:
 * <ol>
 *   <li>SIGKILL of the broker leading a transitions partition and the model partition (leadership is first put
 *   there on purpose, with Kafka's own reassignment and preferred-leader election), then its restart;</li>
 *   <li>SIGKILL of the active KRaft controller (the metadata quorum's leader), then its restart.</li>
 * </ol>
 * Afterwards, read with {@code read_committed}: every transition the actor counted producing is on
 * {@code qstream.transitions} exactly once (episode id + step), every one of them is scored exactly once, no episode
 * was cut short or timed out, and model versions only ever increase. The services run in this JVM (a broker's death
 * is what is tested, not theirs). Recovery times are printed ("recovery: ...") and recorded in docs/RELIABILITY.md;
 * nothing here asserts a time.
 */
class BrokerFailoverIT {

    private static final String PREFIX = "failover";
    private static final Duration LONG = Duration.ofMinutes(3);

    @Test
    void killingAPartitionLeaderAndTheActiveControllerLosesNothingAndScoresNothingTwice(@TempDir Path dir) throws Exception {
        List<LocalBrokers.Node> plan = LocalBrokers.plan(3, 0, dir.resolve("kafka"));
        Map<Integer, ChildJvm> brokers = new HashMap<>();
        Map<Integer, Integer> launches = new HashMap<>();
        Map<String, Double> recovery = new LinkedHashMap<>();
        try {
            for (int id = 1; id <= 3; id++) {
                brokers.put(id, launch(plan, id, launches, dir));
            }
            String bootstrap = LocalBrokers.awaitReady(List.copyOf(brokers.values()), BrokerCommand.READY_PREFIX);
            TopicLayout layout = new TopicLayout(PREFIX, 2, TopicLayout.AUTO_REPLICATION);
            try (LoopScenario loop = new LoopScenario(bootstrap, layout, role -> Map.of(), DataToTextTask.generate(3, 300));
                 Admin admin = Admin.create(adminProps(bootstrap))) {
                loop.startServices();
                KafkaSettings settings = loop.settings;
                String transitions = settings.topic(QstreamTopic.TRANSITIONS);
                String model = settings.topic(QstreamTopic.MODEL);
                assertThat(describe(admin, transitions).partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));

                loop.startTraffic(10);
                await("a trained model served").atMost(LONG).pollInterval(Duration.ofSeconds(1))
                        .until(() -> loop.actor.servedModelVersion() >= 2);

                // 1. The broker leading the model partition is made to lead transitions-0 too, then killed.
                TopicPartition modelPartition = new TopicPartition(model, 0);
                TopicPartition transitions0 = new TopicPartition(transitions, 0);
                int victim = leader(admin, modelPartition);
                leadFrom(admin, transitions0, victim);
                System.out.printf("failover: killing broker %d, leader of %s and %s%n", victim, modelPartition, transitions0);
                long scoredAtKill = committedEnd(admin, settings.topic(QstreamTopic.SCORED));
                long transitions0AtKill = committedEnd(admin, List.of(transitions0));
                long versionAtKill = loop.actor.servedModelVersion();
                long killedAt = kill(brokers.get(victim));
                timed(recovery, "partition leader killed: leadership of the model partition moved", killedAt,
                        () -> leaderOrNone(admin, modelPartition).filter(l -> l != victim).isPresent());
                timed(recovery, "partition leader killed: transitions written to transitions-0 again", killedAt,
                        () -> committedEnd(admin, List.of(transitions0)) > transitions0AtKill);
                timed(recovery, "partition leader killed: scored output committed again", killedAt,
                        () -> committedEnd(admin, settings.topic(QstreamTopic.SCORED)) > scoredAtKill);
                timed(recovery, "partition leader killed: a new model version served", killedAt,
                        () -> loop.actor.servedModelVersion() > versionAtKill);
                long restartedAt = System.nanoTime();
                brokers.put(victim, launch(plan, victim, launches, dir));
                timed(recovery, "partition leader restarted: every partition has 3 in-sync replicas again", restartedAt,
                        () -> allInSync(admin));

                // 2. The active controller (the KRaft quorum's leader; a broker too) is killed.
                int controller = admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId();
                System.out.printf("failover: killing broker %d, the active controller%n", controller);
                long scoredAtControllerKill = committedEnd(admin, settings.topic(QstreamTopic.SCORED));
                long versionAtControllerKill = loop.actor.servedModelVersion();
                killedAt = kill(brokers.get(controller));
                timed(recovery, "active controller killed: a new quorum leader elected", killedAt,
                        () -> {
                            int leader = admin.describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS).leaderId();
                            return leader >= 0 && leader != controller;
                        });
                timed(recovery, "active controller killed: scored output committed again", killedAt,
                        () -> committedEnd(admin, settings.topic(QstreamTopic.SCORED)) > scoredAtControllerKill);
                timed(recovery, "active controller killed: a new model version served", killedAt,
                        () -> loop.actor.servedModelVersion() > versionAtControllerKill);
                restartedAt = System.nanoTime();
                brokers.put(controller, launch(plan, controller, launches, dir));
                timed(recovery, "controller restarted: every partition has 3 in-sync replicas again", restartedAt,
                        () -> allInSync(admin));

                // Drain: no more prompts; the actor's transitions settle and the scorer scores every one of them.
                loop.simulator.close();
                awaitStable(admin, transitions);
                long emitted = (long) loop.counter("actor", "actor.transitions");
                await("every transition scored").atMost(LONG).pollInterval(Duration.ofSeconds(2))
                        .until(() -> scoredSteps(settings) >= emitted);
                recovery.forEach((what, s) -> System.out.printf("recovery: %s: %.1f s%n", what, s));
                verify(settings, emitted);
            }
        } finally {
            brokers.values().forEach(ChildJvm::kill);
        }
        assertThat(recovery).hasSize(9);
    }

    /** Nothing lost, nothing twice, nothing cut short; model versions rising. */
    private static void verify(KafkaSettings settings, long emitted) {
        Map<String, List<Transition>> byEpisode = new HashMap<>();
        List<String> produced = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.TRANSITIONS)) {
            Transition t = Serdes.TRANSITION.decode(r.value());
            byEpisode.computeIfAbsent(t.getEpisodeId().toString(), k -> new ArrayList<>()).add(t);
            produced.add(t.getEpisodeId() + "#" + t.getStep());
        }
        System.out.printf("failover: actor counted %d transitions; the topic holds %d (%d episodes)%n",
                emitted, produced.size(), byEpisode.size());
        assertThat(produced).as("transitions on the topic").doesNotHaveDuplicates().hasSize((int) emitted);
        byEpisode.forEach((episode, steps) -> assertThat(steps).as("episode %s is whole", episode)
                .anySatisfy(t -> assertThat(t.getDone()).isTrue())
                .hasSize(1 + steps.stream().filter(Transition::getDone).mapToInt(Transition::getStep).max().orElse(-1)));

        List<String> scored = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.SCORED)) {
            for (ScoredTransition s : ScoredRecords.steps(r.value())) {
                scored.add(s.getTransition().getEpisodeId() + "#" + s.getTransition().getStep());
            }
        }
        assertThat(scored).as("scored transitions").doesNotHaveDuplicates();
        assertThat(new HashSet<>(scored)).isEqualTo(new HashSet<>(produced));

        List<String> timedOut = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.DLQ)) {
            DeadLetter d = Serdes.DEAD_LETTER.decode(r.value());
            if (d.getReason() == DeadLetterReason.EPISODE_TIMEOUT) {
                timedOut.add(String.valueOf(d.getKey()));
            }
        }
        assertThat(timedOut).as("episodes timed out in the scorer").isEmpty();

        List<Long> versions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.MODEL)) {
            ModelUpdate u = Serdes.MODEL_UPDATE.decode(r.value());
            if (u.getChunkIndex() == 0) {
                versions.add(u.getVersion());
            }
        }
        System.out.printf("failover: %d model versions published, last v%d%n", versions.size(), versions.get(versions.size() - 1));
        assertThat(versions).isSorted().doesNotHaveDuplicates();
    }

    private static ChildJvm launch(List<LocalBrokers.Node> plan, int nodeId, Map<Integer, Integer> launches, Path dir)
            throws Exception {
        int n = launches.merge(nodeId, 1, Integer::sum);
        LocalBrokers.Node node = plan.get(nodeId - 1);
        return node.launch(dir.resolve(node.name() + "-" + n + ".log"));
    }

    /** SIGKILL (no shutdown, no controlled handover of leadership); returns when it happened (nanoTime). */
    private static long kill(ChildJvm broker) throws InterruptedException {
        broker.kill();
        long at = System.nanoTime();
        while (broker.isAlive()) {
            Thread.sleep(10);
        }
        return at;
    }

    /** Waits (generously) for {@code condition}, then records the seconds since {@code since}. */
    private static void timed(Map<String, Double> recovery, String what, long since, Callable<Boolean> condition) {
        await(what).atMost(LONG).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(condition);
        double seconds = (System.nanoTime() - since) / 1e9;
        recovery.put(what, seconds);
        System.out.printf("recovery: %s: %.1f s%n", what, seconds);
    }

    /**
     * Makes {@code node} the leader of {@code partition} with Kafka's own tools: the same replicas reordered so it is
     * the preferred one (no data moves), then a preferred-leader election.
     */
    private static void leadFrom(Admin admin, TopicPartition partition, int node) throws Exception {
        TopicPartitionInfo info = describe(admin, partition.topic()).partitions().get(partition.partition());
        List<Integer> replicas = new ArrayList<>(info.replicas().stream().map(Node::id).toList());
        replicas.remove(Integer.valueOf(node));
        replicas.add(0, node);
        admin.alterPartitionReassignments(Map.of(partition, Optional.of(new NewPartitionReassignment(replicas)))).all()
                .get(30, TimeUnit.SECONDS);
        await("reassignment of " + partition).atMost(LONG).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> admin.listPartitionReassignments(Set.of(partition)).reassignments().get().isEmpty());
        await(partition + " led by broker " + node).atMost(LONG).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    if (leader(admin, partition) != node) {
                        admin.electLeaders(ElectionType.PREFERRED, Set.of(partition)).partitions().get(10, TimeUnit.SECONDS);
                    }
                    return leader(admin, partition) == node && committedEnd(admin, List.of(partition)) >= 0;
                });
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
    }

    private static int leader(Admin admin, TopicPartition partition) throws Exception {
        return leaderOrNone(admin, partition).orElse(-1);
    }

    private static Optional<Integer> leaderOrNone(Admin admin, TopicPartition partition) throws Exception {
        Node leader = describe(admin, partition.topic()).partitions().get(partition.partition()).leader();
        return leader == null || leader.isEmpty() ? Optional.empty() : Optional.of(leader.id());
    }

    /** Every partition of every topic on the cluster (internal ones too) has all its replicas in sync. */
    private static boolean allInSync(Admin admin) throws Exception {
        Set<String> topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                .names().get(10, TimeUnit.SECONDS);
        Map<String, TopicDescription> all = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
        return all.values().stream().flatMap(t -> t.partitions().stream())
                .allMatch(p -> p.isr().size() == p.replicas().size() && p.replicas().size() == 3);
    }

    /** The sum of the partitions' last stable offsets (what read_committed readers see), asked of each leader. */
    private static long committedEnd(Admin admin, String topic) throws Exception {
        List<TopicPartition> partitions = describe(admin, topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        return committedEnd(admin, partitions);
    }

    private static long committedEnd(Admin admin, List<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(5, TimeUnit.SECONDS)
                .values().stream().mapToLong(r -> r.offset()).sum();
    }

    /** Records a read_committed reader finds on the topic (transaction markers take offsets but are no records). */
    /** Steps scored so far (read_committed): each record is an episode. */
    private static long scoredSteps(KafkaSettings settings) {
        long steps = 0;
        for (ConsumerRecord<byte[], byte[]> r : TopicContents.read(settings, QstreamTopic.SCORED)) {
            steps += ScoredRecords.steps(r.value()).size();
        }
        return steps;
    }

    /** Waits until a topic's committed end stops moving for three seconds. */
    private static void awaitStable(Admin admin, String topic) throws Exception {
        long previous = -1;
        int stable = 0;
        long deadline = System.nanoTime() + LONG.toNanos();
        while (stable < 3 && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            long now = committedEnd(admin, topic);
            stable = now == previous ? stable + 1 : 0;
            previous = now;
        }
        assertThat(stable).as(topic + " settles").isGreaterThanOrEqualTo(3);
    }

    private static Properties adminProps(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return p;
    }
}
