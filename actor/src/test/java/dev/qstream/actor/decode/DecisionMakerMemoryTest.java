package dev.qstream.actor.decode;

import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batched Q-values come out of an ND4J matrix in native memory. That memory is freed once the garbage collector
 * finds the matrix unreachable, which compiled code may decide as soon as the matrix's last use, even while its
 * buffer is still being read through a view: the actor JVM then crashed (SIGSEGV in an array copy from freed
 * memory) under the allocation churn of hot swaps. Here decisions run while another thread keeps the collector busy;
 * every batch must choose what it chose with the collector idle, and the JVM must survive.
 */
class DecisionMakerMemoryTest {

    @Test
    void batchedValuesStayValidWhileTheCollectorRuns() throws Exception {
        int actions = 10_000;
        QNetworkSpec spec = new QNetworkSpec(EncoderSpec.defaults(), 64, actions);
        ModelSnapshot model = new ModelSnapshot(1, 0, "0".repeat(64), QNetworkFactory.initialWeights(spec, 3));
        ServingPolicy policy = ServingPolicy.of(model, true);
        ActionMasker.Mask all = new ActionMasker.Mask(null, null, 0);
        SplittableRandom random = new SplittableRandom(7);
        List<StepRequest> batch = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            batch.add(new StepRequest(new int[]{10 + i, 20, 30}, new int[]{40 + i}, 1, all, Exploration.greedy(), random));
        }
        // The greedy choices with no collector running (the same gemm on the same inputs gives the same values).
        Decision[] quiet = DecisionMaker.decide(policy, batch);
        int[] expected = new int[quiet.length];
        for (int i = 0; i < quiet.length; i++) {
            expected[i] = quiet[i].action();
        }

        AtomicBoolean stop = new AtomicBoolean();
        Thread churn = new Thread(() -> {
            long n = 0;
            while (!stop.get()) {
                byte[] garbage = new byte[1 << 20];
                garbage[(int) (n++ % garbage.length)] = 1;
                if (n % 16 == 0) {
                    System.gc(); // finds the matrices of finished batches, and any still being read
                }
            }
        }, "gc-churn");
        churn.setDaemon(true);
        churn.start();
        try {
            for (int round = 0; round < 1_000; round++) {
                Decision[] out = DecisionMaker.decide(policy, batch);
                for (int i = 0; i < out.length; i++) {
                    assertThat(out[i].action()).as("round %d, state %d", round, i).isEqualTo(expected[i]);
                }
            }
        } finally {
            stop.set(true);
            churn.join();
        }
    }
}
