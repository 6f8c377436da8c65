package dev.qstream.schemas.topics;

import dev.qstream.schemas.avro.DeadLetter;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.EpisodeAssembly;
import dev.qstream.schemas.avro.Feedback;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.RewardCorrection;
import dev.qstream.schemas.avro.SchemaRegistration;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import org.apache.avro.specific.SpecificRecordBase;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Which record each topic carries, and every record with a released history (topic values and internal stores). */
public final class SchemaCatalog {

    private SchemaCatalog() {
    }

    /** Topic → value record. */
    public static Map<QstreamTopic, Class<? extends SpecificRecordBase>> byTopic() {
        Map<QstreamTopic, Class<? extends SpecificRecordBase>> map = new LinkedHashMap<>();
        map.put(QstreamTopic.PROMPTS, Prompt.class);
        map.put(QstreamTopic.TRANSITIONS, Transition.class);
        map.put(QstreamTopic.FEEDBACK, Feedback.class);
        map.put(QstreamTopic.SCORED, ScoredEpisode.class);
        map.put(QstreamTopic.REWARDS_LATE, RewardCorrection.class);
        map.put(QstreamTopic.MODEL, ModelUpdate.class);
        map.put(QstreamTopic.DEPLOYMENTS, DeploymentDecision.class);
        map.put(QstreamTopic.METRICS, MetricEvent.class);
        map.put(QstreamTopic.GENERATIONS, Episode.class);
        map.put(QstreamTopic.DLQ, DeadLetter.class);
        map.put(QstreamTopic.SCHEMAS, SchemaRegistration.class);
        return map;
    }

    /** Every versioned record: the topic values plus the scorer's store value (its changelog is a topic too). */
    public static List<Class<? extends SpecificRecordBase>> versionedRecords() {
        List<Class<? extends SpecificRecordBase>> all = new ArrayList<>(byTopic().values());
        all.add(EpisodeAssembly.class);
        // qstream.scored's record before ScoredEpisode (still read from it), and the scorer's late-feedback store.
        all.add(ScoredTransition.class);
        return List.copyOf(all);
    }
}
