package dev.qstream.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A cluster forms and replicates by its size. Losing a broker under load is {@code BrokerFailoverIT}'s (launcher):
 * it needs broker processes it can SIGKILL.
 */
class EmbeddedKafkaClusterTest {

    @Test
    void threeNodesFormOneQuorumAndReplicateTopicsThreeTimesWithTwoInSync() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(3, BrokerSettings.ephemeral());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);
            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get();
            assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactlyInAnyOrder(1, 2, 3);

            // A topic created without a replication factor gets the cluster's default: three copies, two in sync.
            admin.createTopics(List.of(new NewTopic("t", Optional.of(2), Optional.empty()))).all().get();
            // The controller has the topic now; the broker that answers may learn of it a moment later.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                TopicDescription t = admin.describeTopics(List.of("t")).allTopicNames().get().get("t");
                assertThat(t.partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            });
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
            assertThat(config.get("min.insync.replicas").value()).isEqualTo("2");
            assertThat(config.get("transaction.state.log.replication.factor").value()).isEqualTo("3");
            assertThat(config.get("offsets.topic.replication.factor").value()).isEqualTo("3");
        }
    }

    @Test
    void aMalformedQuorumOrClusterIdIsAClearError() {
        assertThatThrownBy(() -> ClusterMembership.parseVoters("1@127.0.0.1:9093,2-127.0.0.1:9094"))
                .hasMessageContaining("'2-127.0.0.1:9094' is not ID@HOST:PORT");
        List<ClusterMembership.Voter> voters = ClusterMembership.parseVoters("1@127.0.0.1:9093,2@127.0.0.1:9094,3@127.0.0.1:9095");
        assertThat(voters).hasSize(3);
        String id = ClusterMembership.newClusterId();
        assertThatThrownBy(() -> new ClusterMembership(4, id, voters)).hasMessageContaining("node id 4 is not one of");
        assertThatThrownBy(() -> new ClusterMembership(1, "not-a-cluster-id", voters)).hasMessageContaining("is not a Kafka cluster id");
        assertThatThrownBy(() -> new ClusterMembership(1, id, ClusterMembership.parseVoters("1@h:9093,1@h:9094")))
                .hasMessageContaining("node id 1 appears twice");
        assertThat(new ClusterMembership(2, id, voters).self().port()).isEqualTo(9094);
        assertThat(ClusterMembership.replicationFor(1)).isEqualTo((short) 1);
        assertThat(ClusterMembership.replicationFor(2)).isEqualTo((short) 2);
        assertThat(ClusterMembership.replicationFor(5)).isEqualTo((short) 3);
    }
}
