package dev.qstream.launcher.loop;

import dev.qstream.broker.BrokerSettings;
import dev.qstream.broker.EmbeddedKafkaBroker;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.runtime.kafka.TopicBootstrap;
import dev.qstream.schemas.topics.QstreamTopic;
import dev.qstream.schemas.topics.TopicLayout;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The loop on an embedded broker that requires SASL/SCRAM and enforces ACLs under which only the learner's
 * principal may write the model topic: the loop still closes (every service authenticates with its own principal
 * from standard Kafka client settings), and a write to the model topic as the actor is refused.
 */
class SecurityIT {

    private static final String PREFIX = "sec";

    private static Map<String, String> scram(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, String user, AclOperation op,
                                  AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", op, permission));
    }

    @Test
    void theLoopRunsUnderScramWithAclsAndOnlyTheLearnerMayWriteTheModelTopic() throws Exception {
        LinkedHashMap<String, String> users = new LinkedHashMap<>();
        users.put("admin", "admin-secret");
        users.put("learner", "learner-secret");
        users.put("actor", "actor-secret");
        users.put("scorer", "scorer-secret");
        users.put("ops", "ops-secret");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerSettings.ephemeral().withScramUsers(users))) {
            KafkaSettings admin = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(PREFIX, 2, (short) 1),
                    scram("admin", "admin-secret"));
            TopicBootstrap.ensureTopics(admin, Duration.ofSeconds(30));
            List<AclBinding> acls = new ArrayList<>();
            for (String user : List.of("learner", "actor", "scorer", "ops")) {
                // Everything under the deployment's prefix (topics, groups, transactional ids) ...
                acls.add(acl(ResourceType.TOPIC, PREFIX, PatternType.PREFIXED, user, AclOperation.ALL, AclPermissionType.ALLOW));
                acls.add(acl(ResourceType.GROUP, PREFIX, PatternType.PREFIXED, user, AclOperation.ALL, AclPermissionType.ALLOW));
                acls.add(acl(ResourceType.TRANSACTIONAL_ID, PREFIX, PatternType.PREFIXED, user, AclOperation.ALL, AclPermissionType.ALLOW));
                if (!user.equals("learner")) {
                    // ... except writing models, which only the learner may do.
                    acls.add(acl(ResourceType.TOPIC, PREFIX + ".model", PatternType.LITERAL, user, AclOperation.WRITE, AclPermissionType.DENY));
                }
            }
            acls.add(acl(ResourceType.TRANSACTIONAL_ID, "qstream-learner", PatternType.PREFIXED, "learner", AclOperation.ALL, AclPermissionType.ALLOW));
            try (Admin a = Admin.create(admin.admin("acl-admin"))) {
                a.createAcls(acls).all().get();
            }

            Map<String, Map<String, String>> byRole = Map.of("learner", scram("learner", "learner-secret"),
                    "actor", scram("actor", "actor-secret"), "scorer", scram("scorer", "scorer-secret"),
                    "ops", scram("ops", "ops-secret"));
            try (LoopScenario loop = new LoopScenario(broker.bootstrapServers(), PREFIX, byRole::get).startServices()) {
                loop.startTraffic(30);
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> loop.actor.servedModelVersion() >= 2);
            }

            // The actor's principal cannot publish a model ...
            KafkaSettings actor = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(PREFIX, 2, (short) 1),
                    scram("actor", "actor-secret"));
            Properties p = actor.producer("sneaky-actor");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(actor.topic(QstreamTopic.MODEL), "qnet/0".getBytes(), new byte[]{1})).get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            // ... and a wrong password does not get in at all.
            KafkaSettings intruder = new KafkaSettings(broker.bootstrapServers(), new TopicLayout(PREFIX, 2, (short) 1),
                    scram("actor", "guess"));
            Properties q = intruder.producer("intruder");
            q.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(q)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(intruder.topic(QstreamTopic.PROMPTS), new byte[]{1})).get())
                        .hasRootCauseInstanceOf(SaslAuthenticationException.class);
            }
        }
    }
}
