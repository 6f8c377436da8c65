package dev.qstream.bench;

import dev.qstream.learner.dqn.Batch;
import dev.qstream.learner.dqn.DqnConfig;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.state.StateEncoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The learner's memory with a full replay: a prioritized buffer filled with realistic transitions (15-step
 * episodes of a 20-token prompt, masks of ~60 ids), the default network training on it, then the process's resident
 * set size as the kernel reports it.
 */
public final class ReplayMemoryBenchmark {

    /** What one run measured. */
    public record Result(int transitions, long rssBytes, long heapUsedBytes, long replayBytesEstimate, double samplesPerSec) {
    }

    private ReplayMemoryBenchmark() {
    }

    public static Result run(int transitions, int vocabulary) throws IOException {
        SplittableRandom random = new SplittableRandom(3);
        ReplayBuffer replay = new ReplayBuffer(ReplayConfig.prioritized(transitions));
        int episodeLength = 15;
        for (int e = 0; replay.size() < transitions; e++) {
            short[] prompt = ids(random, 20, vocabulary);
            short[] generated = ids(random, episodeLength, vocabulary);
            for (int t = 0; t < episodeLength && replay.size() < transitions; t++) {
                short[] prefix = Arrays.copyOf(generated, t);
                replay.add(new StoredTransition(e, e, t, prompt, prefix, generated[t], (float) random.nextDouble(),
                        t == episodeLength - 1 ? 0f : 0.95f, new short[]{generated[t]}, ids(random, 60, vocabulary), ids(random, 60, vocabulary),
                        episodeLength - 1, 0, (long) e * episodeLength + t));
            }
        }
        QNetworkSpec spec = new QNetworkSpec(EncoderSpec.defaults(), 256, vocabulary);
        DqnUpdate dqn = new DqnUpdate(DqnConfig.defaults(), QNetworkFactory.initialWeights(spec, 1));
        StateEncoder encoder = new StateEncoder(spec.encoder());
        Batch batch = new Batch(dqn.config().batchSize(), spec.inputs());
        long start = System.nanoTime();
        int updates = 200;
        for (int i = 0; i < updates; i++) {
            replay.sample(batch, random, encoder, i);
            replay.updatePriorities(batch, dqn.update(batch).tdErrors());
        }
        double samplesPerSec = updates * (double) batch.size / ((System.nanoTime() - start) / 1e9);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return new Result(replay.size(), rss(), rt.totalMemory() - rt.freeMemory(), replay.approximateBytes(), samplesPerSec);
    }

    private static short[] ids(SplittableRandom random, int n, int vocabulary) {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) {
            a[i] = (short) random.nextInt(3, vocabulary);
        }
        return a;
    }

    static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
