package dev.qstream.scorer.similarity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Differential check against outputs of the reference implementations (see
 * {@code src/test/resources/golden/README.md} for how they were produced).
 */
class GoldenReferenceTest {

    private static List<String[]> rows(String name) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                GoldenReferenceTest.class.getResourceAsStream("/golden/" + name), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split("\t", -1);
                for (int i = 0; i < f.length; i++) {
                    f[i] = unescape(f[i]);
                }
                out.add(f);
            }
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case '\\' -> sb.append('\\');
                case 't' -> sb.append('\t');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + n);
            }
        }
        return sb.toString();
    }

    private static double[] doubles(String s) {
        String[] p = s.split(" ");
        double[] d = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = Double.parseDouble(p[i]);
        }
        return d;
    }

    private static double[] flat(RougeScores s) {
        List<PrecisionRecallF> all = List.of(s.rouge1(), s.rouge2(), s.rougeL(), s.rougeLsum());
        double[] d = new double[12];
        for (int i = 0; i < 4; i++) {
            d[3 * i] = all.get(i).precision();
            d[3 * i + 1] = all.get(i).recall();
            d[3 * i + 2] = all.get(i).f();
        }
        return d;
    }

    @Test
    void porterStems() throws IOException {
        SoftAssertions soft = new SoftAssertions();
        List<String[]> rows = rows("porter.tsv");
        for (String[] r : rows) {
            soft.assertThat(PorterStemmer.INSTANCE.stem(r[0])).as(r[0]).isEqualTo(r[1]);
        }
        soft.assertAll();
        assertThat(rows).hasSizeGreaterThan(2000);
    }

    @Test
    void rougeScoresAreBitIdentical() throws IOException {
        RougeScorer[] scorers = {new RougeScorer(false), new RougeScorer(true)};
        SoftAssertions soft = new SoftAssertions();
        int n = 0;
        for (String[] r : rows("rouge.tsv")) {
            RougeScorer sc = scorers[Integer.parseInt(r[1])];
            double[] expected = doubles(r[2]);
            RougeScores got;
            if (r[0].equals("score")) {
                got = sc.score(r[3], r[4]);
                soft.assertThat(sc.rougeLF(r[3], r[4])).as("rougeLF %s | %s", r[3], r[4]).isEqualTo(expected[8]);
            } else {
                List<String> refs = new ArrayList<>();
                for (int i = 4; i < r.length; i++) {
                    refs.add(r[i]);
                }
                got = sc.scoreMulti(refs, r[3]);
            }
            soft.assertThat(flat(got)).as("%s %s", r[0], String.join(" | ", r)).containsExactly(expected);
            n++;
        }
        soft.assertAll();
        assertThat(n).isGreaterThan(300);
    }

    private static void checkBleu(SoftAssertions soft, BleuResult got, String expected, String what) {
        String[] p = expected.split(" ");
        double score = Double.parseDouble(p[0]);
        soft.assertThat(got.score()).as(what).isCloseTo(score, within(1e-9 * Math.max(1, score)));
        soft.assertThat(got.counts()).as(what).containsExactly(ints(p[1]));
        soft.assertThat(got.totals()).as(what).containsExactly(ints(p[2]));
        soft.assertThat(got.bp()).as(what).isCloseTo(Double.parseDouble(p[3]), within(1e-12));
        soft.assertThat(got.sysLen()).as(what).isEqualTo(Integer.parseInt(p[4]));
        soft.assertThat(got.refLen()).as(what).isEqualTo(Integer.parseInt(p[5]));
    }

    private static int[] ints(String s) {
        String[] p = s.split(",");
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Integer.parseInt(p[i]);
        }
        return out;
    }

    @Test
    void bleuAndTokenizer() throws IOException {
        SoftAssertions soft = new SoftAssertions();
        int n = 0;
        for (String[] r : rows("bleu.tsv")) {
            switch (r[0]) {
                case "tok" -> soft.assertThat(Tokenizer13a.tokenize(r[2])).as(r[2]).isEqualTo(r[1]);
                case "sentence" -> {
                    List<String> refs = List.of(r).subList(3, r.length);
                    if (r[1].equals("ERROR")) {
                        assertThatThrownBy(() -> SacreBleu.sentenceBleuResult(r[2], refs))
                                .isInstanceOf(IllegalArgumentException.class);
                    } else {
                        checkBleu(soft, SacreBleu.sentenceBleuResult(r[2], refs), r[1], String.join(" | ", r));
                    }
                }
                case "corpus" -> {
                    int nseg = Integer.parseInt(r[2]);
                    int nref = Integer.parseInt(r[3]);
                    List<String> hyps = List.of(r).subList(4, 4 + nseg);
                    List<List<String>> streams = new ArrayList<>();
                    for (int k = 0; k < nref; k++) {
                        int from = 4 + nseg + k * nseg;
                        streams.add(List.of(r).subList(from, from + nseg));
                    }
                    checkBleu(soft, SacreBleu.corpusBleu(hyps, streams), r[1], String.join(" | ", r));
                }
                default -> throw new IllegalStateException(r[0]);
            }
            n++;
        }
        soft.assertAll();
        assertThat(n).isGreaterThan(600);
    }
}
