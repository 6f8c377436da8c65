package dev.qstream.runtime.kafka;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.broker.EmbeddedKafkaCluster;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replication factor follows the cluster's size unless given, and three copies come with two in sync. */
class TopicBootstrapReplicationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void onThreeBrokersTopicsGetThreeCopiesWithTwoInSyncUnlessTheFactorIsGiven() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(3, BrokerSettings.ephemeral())) {
            KafkaSettings auto = new KafkaSettings(cluster.bootstrapServers(),
                    new TopicLayout("auto", 2, TopicLayout.AUTO_REPLICATION), Map.of());
            assertThat(TopicBootstrap.ensureTopics(auto, TIMEOUT)).hasSize(QstreamTopic.values().length);
            assertCopies(auto, 3, "2");

            // A service's context carries the resolved factor (what the scorer hands Kafka Streams).
            try (ServiceContext context = ServiceContext.start(auto, "test", "t-1")) {
                assertThat(context.kafka().layout().replicationFactor()).isEqualTo((short) 3);
            }

            KafkaSettings two = new KafkaSettings(cluster.bootstrapServers(), new TopicLayout("two", 2, (short) 2), Map.of());
            TopicBootstrap.ensureTopics(two, TIMEOUT);
            assertCopies(two, 2, "1");
        }
    }

    @Test
    void onOneBrokerTopicsGetOneCopyAndMoreCopiesThanBrokersIsAClearError() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral())) {
            KafkaSettings auto = new KafkaSettings(broker.bootstrapServers(),
                    new TopicLayout("auto", 1, TopicLayout.AUTO_REPLICATION), Map.of());
            TopicBootstrap.ensureTopics(auto, TIMEOUT);
            assertCopies(auto, 1, "1");
            KafkaSettings three = new KafkaSettings(broker.bootstrapServers(), new TopicLayout("three", 1, (short) 3), Map.of());
            assertThatThrownBy(() -> TopicBootstrap.ensureTopics(three, TIMEOUT))
                    .hasMessageContaining("cannot create topic three.")
                    .hasMessageContaining("replication factor of 3 cannot be reached because only 1 broker(s) are registered");
        }
    }

    private static void assertCopies(KafkaSettings settings, int copies, String minInSync) throws Exception {
        try (Admin admin = Admin.create(settings.admin("check"))) {
            List<String> names = settings.layout().specs().stream().map(TopicLayout.TopicSpec::name).toList();
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
            assertThat(topics).hasSize(names.size());
            topics.values().forEach(t -> assertThat(t.partitions()).as(t.name())
                    .allSatisfy(p -> assertThat(p.replicas()).hasSize(copies)));
            ConfigResource transitions = new ConfigResource(ConfigResource.Type.TOPIC, settings.topic(QstreamTopic.TRANSITIONS));
            Config config = admin.describeConfigs(List.of(transitions)).all().get().get(transitions);
            assertThat(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()).isEqualTo(minInSync);
        }
    }
}
