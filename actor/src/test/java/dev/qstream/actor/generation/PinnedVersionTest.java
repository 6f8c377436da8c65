package dev.qstream.actor.generation;

import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.decode.BatchingDecoder;
import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.experience.CollectingAdder;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.actor.model.VariableClient;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.runtime.deployment.CanaryAssignment;
import dev.qstream.schemas.avro.Transition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An episode keeps the version it started with: episodes routed to two versions at once (a canary trial), decided
 * together by the batching decoder while the champion is swapped mid-run, each say one version on every step, the
 * one they were routed to.
 */
class PinnedVersionTest {

    private static ServingPolicy policy(long version, long seed) {
        QNetworkSpec spec = new QNetworkSpec(EncoderSpec.defaults(), 16, GenerationTest.VOCABULARY.size());
        return ServingPolicy.of(new ModelSnapshot(version, version - 1, GenerationTest.VOCABULARY.fingerprint(),
                QNetworkFactory.initialWeights(spec, seed)), true);
    }

    @Test
    void everyStepOfAnEpisodeComesFromTheVersionItWasRoutedTo() throws Exception {
        ServingPolicy challenger = policy(9, 3);
        AtomicReference<ServingPolicy> champion = new AtomicReference<>(policy(7, 1));
        VariableClient routing = new VariableClient() {
            @Override
            public ServingPolicy current() {
                return champion.get();
            }

            @Override
            public ServingPolicy policyFor(String episodeId) {
                return CanaryAssignment.inCanary(episodeId, 0.5) ? challenger : champion.get();
            }
        };
        ConcurrentLinkedQueue<Transition> steps = new ConcurrentLinkedQueue<>();
        try (BatchingDecoder decoder = new BatchingDecoder(routing, 16, Duration.ofMillis(2), 256, new SimpleMeterRegistry())) {
            EpisodeGenerator generator = new EpisodeGenerator("a", GenerationTest.VOCABULARY, new Tokenizer(),
                    new ActionMasker(ActionMasker.Mode.ALL, GenerationTest.VOCABULARY, 5, 4), decoder, 64,
                    Clock.systemUTC(), GenerationMetrics.NONE);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int seed = t;
                threads.add(new Thread(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    CollectingAdder adder = new CollectingAdder();
                    try {
                        for (int i = 0; i < 40; i++) {
                            generator.generate("p", "name[ the eagle ] food[ italian ] near the river", null,
                                    Exploration.epsilonGreedy(0.3), 12, random, adder);
                            if (seed == 0 && i == 20) {
                                champion.set(policy(8, 2)); // a swap while other episodes are mid-way
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    steps.addAll(adder.transitions());
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
        }
        Map<String, Long> versionOf = new HashMap<>();
        for (Transition t : steps) {
            Long first = versionOf.putIfAbsent(t.getEpisodeId(), t.getPolicyVersion());
            assertThat(first == null || first == t.getPolicyVersion()).as("episode %s mixes versions", t.getEpisodeId()).isTrue();
        }
        assertThat(versionOf).hasSize(240);
        versionOf.forEach((episode, version) ->
                assertThat(version == 9).isEqualTo(CanaryAssignment.inCanary(episode, 0.5)));
        assertThat(versionOf.values()).contains(7L, 8L, 9L);
    }
}
