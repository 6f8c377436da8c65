package dev.qstream.scorer.metrics.bench;

import dev.qstream.scorer.metrics.RougeScorer;
import dev.qstream.scorer.metrics.RougeTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Quick single-thread timing of ROUGE-L F on 50-token pairs (not a test; run by hand):
 *
 * <pre>
 * mvn -q test-compile
 * java -cp target/classes:target/test-classes dev.qstream.scorer.metrics.bench.RougeLBenchmark
 * </pre>
 */
public final class RougeLBenchmark {

    private RougeLBenchmark() {
    }

    public static void main(String[] args) {
        int pairs = 4096;
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        Random rnd = new Random(42);
        String[] vocab = new String[400];
        for (int i = 0; i < vocab.length; i++) {
            StringBuilder sb = new StringBuilder();
            int len = 2 + rnd.nextInt(8);
            for (int k = 0; k < len; k++) {
                sb.append((char) ('a' + rnd.nextInt(26)));
            }
            vocab[i] = sb.toString();
        }
        String[] refs = new String[pairs];
        String[] cands = new String[pairs];
        for (int p = 0; p < pairs; p++) {
            refs[p] = sentence(rnd, vocab, tokens);
            cands[p] = sentence(rnd, vocab, tokens);
        }
        List<List<String>> refTok = new ArrayList<>();
        List<List<String>> candTok = new ArrayList<>();
        for (int p = 0; p < pairs; p++) {
            refTok.add(RougeTokenizer.tokenize(refs[p], false));
            candTok.add(RougeTokenizer.tokenize(cands[p], false));
        }
        RougeScorer plain = new RougeScorer(false);
        RougeScorer stem = new RougeScorer(true);
        run("rougeLF(String,String) unstemmed", () -> {
            double s = 0;
            for (int p = 0; p < pairs; p++) {
                s += plain.rougeLF(refs[p], cands[p]);
            }
            return s;
        }, pairs);
        run("rougeLF(List,List) pre-tokenized", () -> {
            double s = 0;
            for (int p = 0; p < pairs; p++) {
                s += RougeScorer.rougeLF(refTok.get(p), candTok.get(p));
            }
            return s;
        }, pairs);
        run("rougeLF(String,String) stemmed", () -> {
            double s = 0;
            for (int p = 0; p < pairs; p++) {
                s += stem.rougeLF(refs[p], cands[p]);
            }
            return s;
        }, pairs);
        run("score(String,String) all four, unstemmed", () -> {
            double s = 0;
            for (int p = 0; p < pairs; p++) {
                s += plain.score(refs[p], cands[p]).rougeL().f();
            }
            return s;
        }, pairs);
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

    private interface Body {
        double run();
    }

    private static void run(String name, Body body, int pairs) {
        double sink = 0;
        long deadline = System.nanoTime() + 2_000_000_000L; // warm-up
        while (System.nanoTime() < deadline) {
            sink += body.run();
        }
        long t0 = System.nanoTime();
        int rounds = 0;
        while (System.nanoTime() - t0 < 3_000_000_000L) {
            sink += body.run();
            rounds++;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%-45s %,12.0f pairs/s  (checksum %.3f)%n", name, rounds * (double) pairs / secs, sink);
    }
}
