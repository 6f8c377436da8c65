package dev.qstream.console.observe;

import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.console.telemetry.DeploymentHistory;
import dev.qstream.console.telemetry.LoopTelemetry;
import dev.qstream.schemas.avro.DeploymentDecision;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.scored.ScoredRecords;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.topics.QstreamTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Follows the loop's topics from their beginning (read_committed, no consumer group) and keeps the counts the
 * summary and progress lines need. It only reads: everything it reports is what the topics hold.
 */
public final class LoopObserver implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaSettings settings;
    private final AtomicLong episodes = new AtomicLong();
    private final AtomicLong transitions = new AtomicLong();
    private final AtomicLong scored = new AtomicLong();
    private final AtomicLong modelVersion = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final Map<String, Double> learnerUpdates = new ConcurrentHashMap<>();
    private final Map<String, Long> served = new ConcurrentHashMap<>();
    private final List<double[]> episodeRewards = new ArrayList<>(); // [scoredAtMillis, reward]
    private final Map<Long, Double> heldOut = new ConcurrentHashMap<>(); // model version → held-out ROUGE-L F
    private final Map<Long, Double> heldOutBleu = new ConcurrentHashMap<>(); // model version → held-out corpus BLEU
    private final DeploymentHistory deployments = new DeploymentHistory(LoopTelemetry.DEPLOYMENT_EVENTS);
    private final AtomicLong trials = new AtomicLong();
    private final AtomicLong promotions = new AtomicLong();
    private final AtomicLong rollbacks = new AtomicLong();
    private final Worker worker;

    public LoopObserver(KafkaSettings settings) {
        this.settings = settings;
        this.consumer = new KafkaConsumer<>(settings.consumer("qstream-loop-observer", null));
        this.worker = Worker.named("loop-observer").daemon(true).onStop(consumer::wakeup)
                .setUp(this::assignFromBeginning).tearDown(() -> consumer.close(Duration.ofSeconds(5)))
                .build(this::observeNext);
    }

    public LoopObserver start() {
        worker.start();
        return this;
    }

    private void assignFromBeginning() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (QstreamTopic t : List.of(QstreamTopic.TRANSITIONS, QstreamTopic.SCORED, QstreamTopic.MODEL,
                QstreamTopic.METRICS, QstreamTopic.DLQ, QstreamTopic.DEPLOYMENTS)) {
            String name = settings.topic(t);
            for (PartitionInfo p : consumer.partitionsFor(name, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(name, p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private void observeNext() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            try {
                observe(r);
            } catch (AvroDecodeException e) {
                // the services dead-letter bad records; the observer only counts good ones
            }
        }
    }

    private void observe(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        if (topic.equals(settings.topic(QstreamTopic.TRANSITIONS))) {
            Transition t = Serdes.TRANSITION.decode(r.value());
            transitions.incrementAndGet();
            if (t.getDone()) {
                episodes.incrementAndGet();
            }
        } else if (topic.equals(settings.topic(QstreamTopic.SCORED))) {
            for (ScoredTransition s : ScoredRecords.steps(r.value())) {
                scored.incrementAndGet();
                // Demonstrations say a reference: their reward measures the reference, not the policy.
                if (s.getTransition().getDone() && s.getTransition().getExploration() != ExplorationStrategy.DEMONSTRATION) {
                    synchronized (episodeRewards) {
                        episodeRewards.add(new double[]{s.getScoredAt(), s.getEpisodeReward()});
                    }
                }
            }
        } else if (topic.equals(settings.topic(QstreamTopic.MODEL))) {
            ModelUpdate m = Serdes.MODEL_UPDATE.decode(r.value());
            modelVersion.accumulateAndGet(m.getVersion(), Math::max);
        } else if (topic.equals(settings.topic(QstreamTopic.METRICS))) {
            MetricEvent e = Serdes.METRIC_EVENT.decode(r.value());
            if (e.getName().equals("learner.updates")) {
                learnerUpdates.merge(e.getInstanceId(), e.getValue(), Math::max);
            } else if (e.getName().equals("actor.model.version") && e.getSource().equals("actor")) {
                served.put(e.getInstanceId(), (long) e.getValue());
            } else if (e.getName().equals("eval.rougeL.f") && e.getTags().containsKey("version")) {
                heldOut.put(Long.parseLong(e.getTags().get("version")), e.getValue());
            } else if (e.getName().equals("eval.bleu.corpus") && e.getTags().containsKey("version")) {
                heldOutBleu.put(Long.parseLong(e.getTags().get("version")), e.getValue());
            }
        } else if (topic.equals(settings.topic(QstreamTopic.DLQ))) {
            deadLetters.incrementAndGet();
        } else if (topic.equals(settings.topic(QstreamTopic.DEPLOYMENTS))) {
            DeploymentDecision d = Serdes.DEPLOYMENT_DECISION.decode(r.value());
            deployments.accept(d);
            switch (d.getAction()) {
                case TRIAL_STARTED -> trials.incrementAndGet();
                case PROMOTED -> promotions.incrementAndGet();
                case ROLLED_BACK -> rollbacks.incrementAndGet();
                default -> { }
            }
        }
    }

    public LoopSummary summary() {
        double[][] rewards;
        synchronized (episodeRewards) {
            rewards = episodeRewards.toArray(new double[0][]);
        }
        Arrays.sort(rewards, (a, b) -> Double.compare(a[0], b[0]));
        int tenth = Math.max(1, rewards.length / 10);
        double first = rewards.length == 0 ? Double.NaN : mean(rewards, 0, Math.min(tenth, rewards.length));
        double last = rewards.length == 0 ? Double.NaN : mean(rewards, Math.max(0, rewards.length - tenth), rewards.length);
        long updates = (long) learnerUpdates.values().stream().mapToDouble(Double::doubleValue).sum();
        TreeMap<Long, Double> curve = new TreeMap<>(heldOut);
        TreeMap<Long, Double> bleu = new TreeMap<>(heldOutBleu);
        return new LoopSummary(episodes.get(), transitions.get(), scored.get(), updates, modelVersion.get(),
                new TreeMap<>(served), first, last, deadLetters.get(),
                curve.isEmpty() ? Double.NaN : curve.firstEntry().getValue(),
                curve.isEmpty() ? Double.NaN : curve.lastEntry().getValue(),
                bleu.isEmpty() ? Double.NaN : bleu.firstEntry().getValue(),
                bleu.isEmpty() ? Double.NaN : bleu.lastEntry().getValue(), curve.size(), deployment(curve));
    }

    private LoopSummary.Deployment deployment(Map<Long, Double> curve) {
        DeploymentHistory.Serving s = deployments.serving();
        if (!s.gated()) {
            return LoopSummary.Deployment.NONE;
        }
        return new LoopSummary.Deployment(true, s.champion(), s.challenger() == null ? -1 : s.challenger(), trials.get(),
                promotions.get(), rollbacks.get(), curve.getOrDefault(s.champion(), Double.NaN));
    }

    private static double mean(double[][] rows, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += rows[i][1];
        }
        return sum / (to - from);
    }

    @Override
    public void close() {
        worker.close();
    }
}
