package dev.qstream.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qstream.scorer.similarity.BleuResult;
import dev.qstream.scorer.similarity.RougeScorer;
import dev.qstream.scorer.similarity.RougeScores;
import dev.qstream.scorer.similarity.SacreBleu;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScoreCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = QstreamCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path input(byte[] content) throws Exception {
        Path in = dir.resolve("pairs.jsonl");
        Files.write(in, content);
        return in;
    }

    private Path input(String... lines) throws Exception {
        return input((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private List<JsonNode> output(Path file) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    @Test
    void eachLineGetsEveryRougeVariantAndSentenceBleuExactlyAsTheLibraryComputesThem() throws Exception {
        Path in = input(
                "{\"id\": \"a\", \"candidate\": \"The cats were sitting on the mat.\", \"reference\": \"The cat sat on the mat.\"}",
                "{\"id\": 7, \"candidate\": \"a dog\\nran home\", \"references\": [\"the dog ran home\", \"a dog ran\\nto its home\"]}");
        Path outFile = dir.resolve("scores.jsonl");
        assertThat(run("score", "--in", in.toString(), "--out", outFile.toString())).isZero();

        List<JsonNode> lines = output(outFile);
        assertThat(lines).hasSize(2);
        JsonNode first = lines.get(0);
        assertThat(first.fieldNames()).toIterable().containsExactly("id", "rouge1", "rouge2", "rougeL", "rougeLsum",
                "rouge1_stem", "rouge2_stem", "rougeL_stem", "rougeLsum_stem", "bleu_sentence");
        assertThat(first.get("id").asText()).isEqualTo("a");
        RougeScores plain = new RougeScorer(false).score("The cat sat on the mat.", "The cats were sitting on the mat.");
        RougeScores stem = new RougeScorer(true).score("The cat sat on the mat.", "The cats were sitting on the mat.");
        assertThat(first.at("/rouge1/p").asDouble()).isEqualTo(plain.rouge1().precision());
        assertThat(first.at("/rouge2/r").asDouble()).isEqualTo(plain.rouge2().recall());
        assertThat(first.at("/rougeL/f").asDouble()).isEqualTo(plain.rougeL().f());
        assertThat(first.at("/rougeLsum/f").asDouble()).isEqualTo(plain.rougeLsum().f());
        assertThat(first.at("/rouge1_stem/f").asDouble()).isEqualTo(stem.rouge1().f());
        assertThat(first.at("/rouge1_stem/f").asDouble()).isGreaterThan(first.at("/rouge1/f").asDouble()); // cats → cat
        assertThat(first.at("/rougeLsum_stem/r").asDouble()).isEqualTo(stem.rougeLsum().recall());
        assertThat(first.get("bleu_sentence").asDouble())
                .isEqualTo(SacreBleu.sentenceBleu("The cats were sitting on the mat.", List.of("The cat sat on the mat.")));

        JsonNode second = lines.get(1);
        assertThat(second.get("id").isNumber()).isTrue();
        List<String> refs = List.of("the dog ran home", "a dog ran\nto its home");
        RougeScores multi = new RougeScorer(false).scoreMulti(refs, "a dog\nran home");
        assertThat(second.at("/rougeL/f").asDouble()).isEqualTo(multi.rougeL().f());
        assertThat(second.at("/rougeLsum/f").asDouble()).isEqualTo(multi.rougeLsum().f());
        assertThat(second.get("bleu_sentence").asDouble()).isEqualTo(SacreBleu.sentenceBleu("a dog\nran home", refs));
        assertThat(err.toString()).contains("scored 2 line(s), skipped 0");
    }

    @Test
    void aBadLineIsReportedWithItsNumberAndSkipped() throws Exception {
        byte[] notUtf8 = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (String line : List.of(
                "{\"id\": \"ok-1\", \"candidate\": \"x y\", \"reference\": \"x y z\"}",
                "{\"id\": \"broken\", \"candidate\": ",
                "[1, 2]",
                "{\"candidate\": \"x\", \"reference\": \"x\"}",
                "{\"id\": \"both\", \"candidate\": \"x\", \"reference\": \"x\", \"references\": [\"x\"]}",
                "{\"id\": \"none\", \"candidate\": \"x\", \"references\": []}",
                "{\"id\": \"num\", \"candidate\": \"x\", \"references\": [\"x\", 3]}",
                "{\"id\": \"empty\", \"candidate\": \"x\", \"reference\": \"\"}",
                "")) {
            content.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        content.write(notUtf8);
        content.write("\r\n{\"id\": \"ok-2\", \"candidate\": \"a\", \"reference\": \"a\"}".getBytes(StandardCharsets.UTF_8));
        Path outFile = dir.resolve("scores.jsonl");
        assertThat(run("score", "--in", input(content.toByteArray()).toString(), "--out", outFile.toString())).isZero();

        assertThat(output(outFile)).extracting(n -> n.get("id").asText()).containsExactly("ok-1", "empty", "ok-2");
        String report = err.toString();
        assertThat(report).contains("line 2: not JSON");
        assertThat(report).contains("line 3: not a JSON object; skipped");
        assertThat(report).contains("line 4: \"id\" must be a string or a number; skipped");
        assertThat(report).contains("line 5: give either \"reference\" (a string) or \"references\" (an array of strings); skipped");
        assertThat(report).contains("line 6: \"references\" must be a non-empty array of strings; skipped");
        assertThat(report).contains("line 7: \"references\" must be a non-empty array of strings; skipped");
        assertThat(report).doesNotContain("line 8:");
        assertThat(report).contains("line 9: empty line; skipped");
        assertThat(report).contains("line 10: not valid UTF-8; skipped");
        assertThat(report).contains("scored 3 line(s), skipped 8");
    }

    @Test
    void corpusPrintsSacreBleuCorpusBleuOverTheScoredLines() throws Exception {
        Path in = input(
                "{\"id\": 1, \"candidate\": \"the cat sat on the mat\", \"references\": [\"the cat sat on a mat\", \"a cat sat on the mat\"]}",
                "{\"id\": 2, \"candidate\": \"it is raining today\", \"reference\": \"today it rains\"}",
                "not json",
                "{\"id\": 3, \"candidate\": \"hello there world\", \"references\": [\"hello world\"]}");
        assertThat(run("score", "--in", in.toString(), "--out", dir.resolve("s.jsonl").toString(), "--corpus")).isZero();
        JsonNode corpus = JSON.readTree(out.toString().trim());
        BleuResult expected = SacreBleu.corpusBleu(
                List.of("the cat sat on the mat", "it is raining today", "hello there world"),
                List.of(List.of("the cat sat on a mat", "today it rains", "hello world"),
                        Arrays.asList("a cat sat on the mat", null, null)));
        assertThat(corpus.get("score").asDouble()).isEqualTo(expected.score());
        assertThat(corpus.get("lines").asInt()).isEqualTo(3);
        assertThat(corpus.get("nrefs").asInt()).isEqualTo(2);
        assertThat(corpus.get("verbose_score").asText()).endsWith("hyp_len = 13 ref_len = " + expected.refLen() + ")");
    }

    @Test
    void anUnreadableInputIsAnErrorWithAClearMessage() {
        assertThat(run("score", "--in", dir.resolve("missing.jsonl").toString(), "--out", dir.resolve("o").toString()))
                .isEqualTo(2);
    }

    @Test
    void aLineWhoseReferencesAreAllEmptyScoresZeroLikeRougeScoreAndCountsInTheCorpus() throws Exception {
        Path in = input(
                "{\"id\": \"real\", \"candidate\": \"the cat sat on the mat\", \"reference\": \"the cat sat on the mat\"}",
                "{\"id\": \"empty\", \"candidate\": \"a dog ran\", \"references\": [\"\", \"\"]}");
        Path scores = dir.resolve("s.jsonl");
        assertThat(run("score", "--in", in.toString(), "--out", scores.toString(), "--corpus")).isZero();
        JsonNode empty = output(scores).get(1);
        assertThat(empty.get("id").asText()).isEqualTo("empty");
        for (String metric : List.of("rouge1", "rouge2", "rougeL", "rougeLsum", "rougeL_stem")) {
            assertThat(empty.get(metric).get("f").asDouble()).as(metric).isZero();
            assertThat(empty.get(metric).get("p").asDouble()).as(metric).isZero();
        }
        assertThat(empty.get("bleu_sentence").asDouble()).isZero();
        // The corpus keeps the line: its three words count as hypothesis n-grams that match nothing, so the corpus
        // score is below the perfect line's 100 and the hypothesis length is both lines' words (6 + 3).
        JsonNode corpus = JSON.readTree(out.toString().strip());
        assertThat(corpus.get("verbose_score").asText()).contains("hyp_len = 9 ref_len = 6");
        assertThat(corpus.get("score").asDouble()).isBetween(1.0, 99.0);
    }
}
