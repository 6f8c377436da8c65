package dev.qstream.bench.loop;

import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.kafka.ConsumerLagReader;
import dev.qstream.runtime.kafka.GroupLag;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.MetricEvent;
import dev.qstream.schemas.avro.Prompt;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@code bench loop} measures, read off the loop's topics the way {@code up}'s {@code LoopObserver} reads them
 * (from the beginning, read_committed, no consumer group), but kept per record with the time it describes, so that
 * any window can be asked afterwards: prompts sent, transitions produced (with the actor's own
 * per-token decision time), transitions scored (with their lag: production to scored record), and the services'
 * meters on {@code qstream.metrics}. A second thread reads the actors' consumer lag on prompts once a second.
 */
public final class LoopMeter implements AutoCloseable {

    private final KafkaSettings settings;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ConsumerLagReader lagReader;
    private final TimedSamples prompts = new TimedSamples();
    private final TimedSamples transitions = new TimedSamples();
    private final TimedSamples tokenMicros = new TimedSamples();
    private final TimedSamples scorerLagSeconds = new TimedSamples();
    private final TimedSamples actorLagRecords = new TimedSamples();
    private final Map<String, TimedSamples> meters = new ConcurrentHashMap<>();
    private final Map<String, Long> servedVersion = new ConcurrentHashMap<>();
    private volatile CompletableFuture<Void> readToEnd; // asked by readToEnd(), answered by the reading thread
    private CompletableFuture<Void> readToEndFor; // the reading thread's: the request its targets belong to
    private Map<TopicPartition, Long> readToEndTargets; // the reading thread's
    private final Worker topics;
    private final Worker lag;

    public LoopMeter(KafkaSettings settings) {
        this.settings = settings;
        this.consumer = new KafkaConsumer<>(settings.consumer("qstream-bench-loop-meter", null));
        this.lagReader = new ConsumerLagReader(settings, "qstream-bench-loop-lag");
        this.topics = Worker.named("loop-meter").daemon(true).onStop(consumer::wakeup)
                .setUp(this::assignFromBeginning).tearDown(() -> consumer.close(Duration.ofSeconds(5)))
                .build(this::readNext);
        this.lag = Worker.named("loop-meter-lag").daemon(true).interruptOnStop()
                .tearDown(lagReader::close).build(this::readLag);
    }

    public LoopMeter start() {
        topics.start();
        lag.start();
        return this;
    }

    private void assignFromBeginning() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (QstreamTopic t : List.of(QstreamTopic.PROMPTS, QstreamTopic.TRANSITIONS, QstreamTopic.SCORED, QstreamTopic.METRICS)) {
            String name = settings.topic(t);
            for (PartitionInfo p : consumer.partitionsFor(name, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(name, p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private void readNext() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            try {
                observe(r);
            } catch (AvroDecodeException e) {
                // the services dead-letter bad records; the meter only measures good ones
            }
        }
        CompletableFuture<Void> asked = readToEnd;
        if (asked != null && !asked.isDone()) {
            if (readToEndFor != asked) { // the topics' ends (last stable offsets: read_committed) when asked
                readToEndTargets = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(10));
                readToEndFor = asked;
            }
            if (readToEndTargets.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                asked.complete(null);
            }
        }
    }

    private void observe(ConsumerRecord<byte[], byte[]> r) {
        String topic = r.topic();
        if (topic.equals(settings.topic(QstreamTopic.PROMPTS))) {
            Prompt p = Serdes.PROMPT.decode(r.value());
            prompts.add(p.getCreatedAt().toEpochMilli(), 1);
        } else if (topic.equals(settings.topic(QstreamTopic.TRANSITIONS))) {
            Transition t = Serdes.TRANSITION.decode(r.value());
            transitions.add(t.getCreatedAt(), 1);
            if (t.getExploration() != ExplorationStrategy.DEMONSTRATION && t.getDecisionMicros() > 0) {
                tokenMicros.add(t.getCreatedAt(), t.getDecisionMicros()); // demonstrations decide nothing
            }
        } else if (topic.equals(settings.topic(QstreamTopic.SCORED))) {
            for (ScoredTransition s : ScoredRecords.steps(r.value())) {
                scorerLagSeconds.add(s.getScoredAt(), (s.getScoredAt() - s.getTransition().getCreatedAt()) / 1000.0);
            }
        } else if (topic.equals(settings.topic(QstreamTopic.METRICS))) {
            MetricEvent e = Serdes.METRIC_EVENT.decode(r.value());
            String statistic = e.getTags().getOrDefault("statistic", "");
            String source = e.getTags().getOrDefault("source", ""); // actor.requests: from the topic or HTTP
            meters.computeIfAbsent(meterKey(e.getName(), statistic, source, e.getInstanceId()), k -> new TimedSamples())
                    .add(e.getTimestamp().toEpochMilli(), e.getValue());
            if (e.getName().equals("actor.model.version") && e.getSource().equals("actor")) {
                servedVersion.put(e.getInstanceId(), (long) e.getValue());
            }
        }
    }

    private void readLag() throws InterruptedException {
        try {
            String promptsTopic = settings.topic(QstreamTopic.PROMPTS);
            for (GroupLag g : lagReader.read(Duration.ofSeconds(5))) {
                Long onPrompts = g.lagByTopic().get(promptsTopic);
                if (onPrompts != null && g.group().endsWith("actors")) {
                    actorLagRecords.add(System.currentTimeMillis(), onPrompts);
                }
            }
        } catch (IllegalStateException e) {
            // the broker was too busy to answer within the timeout: this second has no sample
        }
        Thread.sleep(1_000);
    }

    private static String meterKey(String name, String statistic, String source, String instance) {
        return name + "|" + statistic + "|" + source + "|" + instance;
    }

    /** Every instance's samples of one meter (and statistic: "" for counters and gauges). */
    private List<TimedSamples> meter(String name, String statistic) {
        return meter(name, statistic, "");
    }

    /** As above, for a meter tagged with a source. */
    private List<TimedSamples> meter(String name, String statistic, String source) {
        String prefix = name + "|" + statistic + "|" + source + "|";
        List<TimedSamples> out = new ArrayList<>();
        meters.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.add(v);
            }
        });
        return out;
    }

    /**
     * Waits until the meter has read every record that is on its topics now (it reads behind their heads, further on
     * a busy machine, and unevenly across partitions), so that a window that ended before this call is counted whole.
     *
     * @return false when that took longer than {@code timeout}
     */
    public boolean readToEnd(Duration timeout) throws InterruptedException {
        CompletableFuture<Void> asked = new CompletableFuture<>();
        readToEnd = asked;
        try {
            asked.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Scored transitions seen so far (any time). */
    public int scoredSoFar() {
        return scorerLagSeconds.count(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** The model version each actor last said it serves. */
    public Map<String, Long> servedVersions() {
        return Map.copyOf(servedVersion);
    }

    /**
     * The figures of the window {@code [from, to)} (epoch milliseconds) of a step at {@code rate} prompts/s.
     *
     * @param learnerBatch transitions per learner update (samples = updates × batch)
     */
    public StepFigures figures(double rate, long from, long to, int learnerBatch) {
        double seconds = (to - from) / 1000.0;
        double promptsPerSec = prompts.count(from, to) / seconds;
        double updatesPerSec = sum(meter("learner.updates", ""), m -> m.ratePerSecond(from, to));
        double insertsPerSec = sum(meter("learner.replay.inserted", ""), m -> m.ratePerSecond(from, to));
        double samplesPerSec = updatesPerSec * learnerBatch;
        double swaps = sum(meter("actor.model.swaps", ""), m -> m.increase(from, to));
        // Actor lag in seconds of traffic: records behind, at the rate the prompts came in.
        double lagP50 = scorerLagSeconds.percentile(from, to, 50);
        long dueShift = Double.isNaN(lagP50) ? 0 : Math.round(lagP50 * 1000);
        double actorLagScale = promptsPerSec > 0 ? 1.0 / promptsPerSec : Double.NaN;
        // Prompts answered: the actors' own count of prompts taken off the topic. Not the episodes on the transitions
        // topic: over the training-backlog bound the actors answer every prompt but emit only a share for training.
        double answeredPerSec = sum(meter("actor.requests", "", "topic"), m -> m.ratePerSecond(from, to));
        return new StepFigures(rate, promptsPerSec, answeredPerSec,
                transitions.count(from, to) / seconds, scorerLagSeconds.count(from, to) / seconds,
                transitions.count(from - dueShift, to - dueShift) / seconds,
                lagP50, scorerLagSeconds.percentile(from, to, 99),
                scorerLagSeconds.firstThird(from, to, 99), scorerLagSeconds.growth(from, to, 99),
                actorLagRecords.percentile(from, to, 99) * actorLagScale,
                actorLagRecords.firstThird(from, to, 99) * actorLagScale,
                actorLagRecords.growth(from, to, 99) * actorLagScale,
                tokenMicros.percentile(from, to, 50), tokenMicros.percentile(from, to, 99),
                min(meter("actor.training.keep.share", ""), m -> m.min(from, to)),
                samplesPerSec, insertsPerSec, insertsPerSec > 0 ? samplesPerSec / insertsPerSec : Double.NaN,
                max(meter("learner.ingest.paused", ""), m -> m.mean(from, to)),
                swaps,
                max(meter("actor.model.swap.latency", "p50"), m -> m.max(from, to)),
                max(meter("actor.model.swap.latency", "p99"), m -> m.max(from, to)));
    }

    private interface Reading {
        double of(TimedSamples m);
    }

    /** Sum over instances of a per-instance reading; NaN when no instance has one. */
    private static double sum(List<TimedSamples> instances, Reading reading) {
        double sum = Double.NaN;
        for (TimedSamples m : instances) {
            double v = reading.of(m);
            if (!Double.isNaN(v)) {
                sum = Double.isNaN(sum) ? v : sum + v;
            }
        }
        return sum;
    }

    private static double max(List<TimedSamples> instances, Reading reading) {
        double max = Double.NaN;
        for (TimedSamples m : instances) {
            double v = reading.of(m);
            if (!Double.isNaN(v) && !(v <= max)) {
                max = v;
            }
        }
        return max;
    }

    private static double min(List<TimedSamples> instances, Reading reading) {
        double min = Double.NaN;
        for (TimedSamples m : instances) {
            double v = reading.of(m);
            if (!Double.isNaN(v) && !(v >= min)) {
                min = v;
            }
        }
        return min;
    }

    @Override
    public void close() {
        lag.close();
        topics.close();
    }
}
