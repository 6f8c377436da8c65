package dev.qstream.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.scorer.similarity.BleuResult;
import dev.qstream.scorer.similarity.PrecisionRecallF;
import dev.qstream.scorer.similarity.RougeScorer;
import dev.qstream.scorer.similarity.RougeScores;
import dev.qstream.scorer.similarity.SacreBleu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code qstream score --in pairs.jsonl --out scores.jsonl [--corpus]}: the scorer's metrics over a file, without
 * Kafka. Each input line is {@code {"id", "candidate", "reference"}} or {@code {"id", "candidate", "references": [...]}};
 * each output line holds ROUGE-1/2/L/Lsum (precision, recall, F; without and with Porter stemming, max over
 * references as rouge-score's {@code score_multi}) and sacreBLEU's sentence BLEU. A bad line is reported on stderr
 * with its number and skipped; the exit code is non-zero only when the input cannot be read or the output written.
 */
@Command(name = "score-text", aliases = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score candidate/reference pairs (JSON Lines) with ROUGE (= rouge-score 0.1.2) and BLEU "
                + "(= sacreBLEU 2.x); see docs/REWARDS.md.")
public final class ScoreCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SacreBleu.EmptyReferences EMPTY_SCORES_ZERO = SacreBleu.EmptyReferences.SCORE_ZERO;

    @Spec
    CommandSpec spec;

    @Option(names = "--in", required = true, paramLabel = "FILE",
            description = "Input, one JSON object per line: {\"id\", \"candidate\", \"reference\"} or \"references\": [...].")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output, one JSON object of scores per scored line.")
    Path out;

    @Option(names = "--corpus", description = "Also print corpus BLEU (sacreBLEU corpus_bleu) over the scored lines, as JSON on stdout.")
    boolean corpus;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        long size;
        try {
            size = Files.size(in);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(in.toString(), null, "no such input file");
        }
        RougeScorer plain = new RougeScorer(false);
        RougeScorer stemmed = new RougeScorer(true);
        List<String> hypotheses = new ArrayList<>();
        List<List<String>> referencesByLine = new ArrayList<>();
        int scored = 0;
        int skipped = 0;
        Progress progress = System.console() != null ? new Progress(err, size) : null;
        try (InputStream input = new BufferedInputStream(Files.newInputStream(in), 1 << 16);
             BufferedWriter output = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            Lines lines = new Lines(input);
            String line;
            while ((line = lines.next()) != null) {
                try {
                    Pair pair = Pair.parse(line);
                    output.write(JSON.writeValueAsString(scores(pair, plain, stemmed)));
                    output.newLine();
                    scored++;
                    if (corpus) {
                        hypotheses.add(pair.candidate());
                        referencesByLine.add(pair.references());
                    }
                } catch (BadLine e) {
                    skipped++;
                    if (progress != null) {
                        progress.clear();
                    }
                    err.println("line " + lines.number() + ": " + e.getMessage() + "; skipped");
                }
                if (progress != null) {
                    progress.show(lines.bytesRead(), scored);
                }
            }
        }
        if (progress != null) {
            progress.clear();
        }
        err.printf("scored %,d line(s), skipped %,d, into %s%n", scored, skipped, out);
        err.flush();
        if (corpus) {
            spec.commandLine().getOut().println(JSON.writeValueAsString(corpusBleu(hypotheses, referencesByLine)));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    /** One output line, in the documented key order. */
    static ObjectNode scores(Pair pair, RougeScorer plain, RougeScorer stemmed) {
        RougeScores p = plain.scoreMulti(pair.references(), pair.candidate());
        RougeScores s = stemmed.scoreMulti(pair.references(), pair.candidate());
        ObjectNode o = JSON.createObjectNode();
        o.set("id", pair.id());
        o.set("rouge1", prf(p.rouge1()));
        o.set("rouge2", prf(p.rouge2()));
        o.set("rougeL", prf(p.rougeL()));
        o.set("rougeLsum", prf(p.rougeLsum()));
        o.set("rouge1_stem", prf(s.rouge1()));
        o.set("rouge2_stem", prf(s.rouge2()));
        o.set("rougeL_stem", prf(s.rougeL()));
        o.set("rougeLsum_stem", prf(s.rougeLsum()));
        // Every reference empty: scored 0 against nothing, as rouge-score scores it (sacreBLEU would refuse the line).
        o.put("bleu_sentence", SacreBleu.sentenceBleuResult(pair.candidate(), pair.references(), EMPTY_SCORES_ZERO).score());
        return o;
    }

    private static ObjectNode prf(PrecisionRecallF x) {
        ObjectNode o = JSON.createObjectNode();
        o.put("p", x.precision());
        o.put("r", x.recall());
        o.put("f", x.f());
        return o;
    }

    /**
     * sacreBLEU's JSON for {@code corpus_bleu}: reference stream k holds every line's k-th reference; lines with
     * fewer references get none there (sacreBLEU ignores missing references of a segment).
     */
    static ObjectNode corpusBleu(List<String> hypotheses, List<List<String>> referencesByLine) {
        int streams = referencesByLine.stream().mapToInt(List::size).max().orElse(0);
        ObjectNode o = JSON.createObjectNode();
        o.put("name", "BLEU");
        o.put("lines", hypotheses.size());
        if (hypotheses.isEmpty()) {
            o.putNull("score");
            return o;
        }
        List<List<String>> byStream = new ArrayList<>(streams);
        for (int k = 0; k < streams; k++) {
            List<String> stream = new ArrayList<>(hypotheses.size());
            for (List<String> refs : referencesByLine) {
                stream.add(k < refs.size() ? refs.get(k) : null);
            }
            byStream.add(stream);
        }
        BleuResult b = SacreBleu.corpusBleu(hypotheses, byStream, EMPTY_SCORES_ZERO);
        double[] pr = b.precisions();
        o.put("score", b.score());
        o.put("verbose_score", String.format(Locale.ROOT, "%.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)",
                pr[0], pr[1], pr[2], pr[3], b.bp(), b.ratio(), b.sysLen(), b.refLen()));
        o.put("nrefs", streams);
        o.put("tokenize", "13a");
        o.put("smooth", "exp");
        o.put("case", "mixed");
        return o;
    }

    /** A line that cannot be scored, with the reason. */
    static final class BadLine extends Exception {
        BadLine(String message) {
            super(message, null, false, false);
        }
    }

    /** One input line: an id (string or number, echoed as given), a candidate, one or more references. */
    record Pair(JsonNode id, String candidate, List<String> references) {

        static Pair parse(String line) throws BadLine {
            if (line == MALFORMED) {
                throw new BadLine("not valid UTF-8");
            }
            if (line.isBlank()) {
                throw new BadLine("empty line");
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new BadLine("not JSON (" + e.getOriginalMessage() + ")");
            }
            if (node == null || !node.isObject()) {
                throw new BadLine("not a JSON object");
            }
            JsonNode id = node.get("id");
            if (id == null || !(id.isTextual() || id.isNumber())) {
                throw new BadLine("\"id\" must be a string or a number");
            }
            JsonNode candidate = node.get("candidate");
            if (candidate == null || !candidate.isTextual()) {
                throw new BadLine("\"candidate\" must be a string");
            }
            JsonNode one = node.get("reference");
            JsonNode many = node.get("references");
            if ((one == null) == (many == null)) {
                throw new BadLine("give either \"reference\" (a string) or \"references\" (an array of strings)");
            }
            List<String> references = new ArrayList<>();
            if (one != null) {
                if (!one.isTextual()) {
                    throw new BadLine("\"reference\" must be a string");
                }
                references.add(one.asText());
            } else {
                if (!many.isArray() || many.isEmpty()) {
                    throw new BadLine("\"references\" must be a non-empty array of strings");
                }
                for (JsonNode r : many) {
                    if (!r.isTextual()) {
                        throw new BadLine("\"references\" must be a non-empty array of strings");
                    }
                    references.add(r.asText());
                }
            }
            return new Pair(id, candidate.asText(), references);
        }
    }

    /** Lines of a UTF-8 stream, each decoded strictly (a malformed line is reported, not the whole file). */
    static final class Lines {
        private final InputStream in;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        private long number;
        private long bytes;

        Lines(InputStream in) {
            this.in = in;
        }

        /** The next line without its terminator ("\n" or "\r\n"), or null at the end. */
        String next() throws IOException {
            buffer.reset();
            int b;
            boolean any = false;
            while ((b = in.read()) != -1) {
                bytes++;
                any = true;
                if (b == '\n') {
                    break;
                }
                buffer.write(b);
            }
            if (!any) {
                return null;
            }
            number++;
            byte[] raw = buffer.toByteArray();
            int length = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw, 0, length)).toString();
            } catch (CharacterCodingException e) {
                return MALFORMED;
            }
        }

        long number() {
            return number;
        }

        long bytesRead() {
            return bytes;
        }
    }

    /** Stands for a line that is not valid UTF-8 (compared by identity), so that parsing reports it. */
    private static final String MALFORMED = new String("not UTF-8");

    /** A progress bar on the terminal (stderr), redrawn at most ten times a second. */
    private static final class Progress {
        private final PrintWriter err;
        private final long total;
        private long lastDraw;

        Progress(PrintWriter err, long total) {
            this.err = err;
            this.total = Math.max(total, 1);
        }

        void show(long done, int lines) {
            long now = System.nanoTime();
            if (now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            int width = 30;
            int filled = (int) Math.min(width, done * width / total);
            err.printf("\r[%s%s] %3d%% %,d scored", "#".repeat(filled), " ".repeat(width - filled),
                    Math.min(100, done * 100 / total), lines);
            err.flush();
        }

        void clear() {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
            lastDraw = 0;
        }
    }
}
