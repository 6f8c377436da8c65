package dev.qstream.bench;

import dev.qstream.scorer.similarity.RougeScorer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * ROUGE on 50-token sentence pairs, one pair per operation, cycling through 4,096 distinct pairs (so that neither
 * the JIT nor the caches see one pair only): the fast ROUGE-L F path the target is about, next to the
 * stemmed path and the full four-type score.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RougeLBenchmark {

    static final int PAIRS = 4096;
    static final int TOKENS = 50;

    private final RougeScorer plain = new RougeScorer(false);
    private final RougeScorer stemmed = new RougeScorer(true);
    String[] references;
    String[] candidates;
    int next;

    /** Sentences of {@code tokens} words over a 400-word vocabulary, with some capitals and punctuation. */
    public static String[][] pairs(int count, int tokens, long seed) {
        Random rnd = new Random(seed);
        String[] vocab = new String[400];
        for (int i = 0; i < vocab.length; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 2 + rnd.nextInt(8);
            for (int k = 0; k < len; k++) {
                sb.append((char) ('a' + rnd.nextInt(26)));
            }
            vocab[i] = sb.toString();
        }
        String[][] out = new String[2][count];
        for (int p = 0; p < count; p++) {
            out[0][p] = sentence(rnd, vocab, tokens);
            out[1][p] = sentence(rnd, vocab, tokens);
        }
        return out;
    }

    private static String sentence(Random rnd, String[] vocab, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(rnd.nextInt(8) == 0 ? ", " : " ");
            }
            String w = vocab[rnd.nextInt(vocab.length)];
            sb.append(rnd.nextInt(10) == 0 ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
        }
        return sb.append('.').toString();
    }

    @Setup
    public void setUp() {
        String[][] p = pairs(PAIRS, TOKENS, 42);
        references = p[0];
        candidates = p[1];
    }

    private int nextPair() {
        int i = next;
        next = (i + 1) & (PAIRS - 1);
        return i;
    }

    @Benchmark
    public double rougeLF() {
        int i = nextPair();
        return plain.rougeLF(references[i], candidates[i]);
    }

    @Benchmark
    public double rougeLFStemmed() {
        int i = nextPair();
        return stemmed.rougeLF(references[i], candidates[i]);
    }

    @Benchmark
    public double rougeAllFour() {
        int i = nextPair();
        return plain.score(references[i], candidates[i]).rougeLsum().f();
    }
}
