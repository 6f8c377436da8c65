package dev.qstream.launcher.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.evaluator.EvalResult;
import dev.qstream.evaluator.HeldOutEvaluator;
import dev.qstream.evaluator.ScoredGeneration;
import dev.qstream.launcher.options.DecodingOptions;
import dev.qstream.launcher.options.ModelOptions;
import dev.qstream.launcher.options.SigningOptions;
import dev.qstream.learner.publish.PublishedModels;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.runtime.kafka.KafkaSettings;
import dev.qstream.schemas.topics.TopicLayout;
import dev.qstream.scorer.similarity.RougeScorer;
import dev.qstream.scorer.similarity.SacreBleu;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code qstream eval}: one held-out evaluation, offline, printed as one JSON line; with {@code --baseline}, a
 * model-free baseline's line first; with {@code --out}, every generation as JSON Lines.
 */
@Command(name = "eval-model", aliases = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a published model (the newest, or --model-version) greedily on a task's eval split; prints one JSON line "
                + "(a baseline's line first with --baseline).")
public final class EvalCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--task", required = true, paramLabel = "FILE|builtin", description = "Task file, or builtin.")
    String task;

    @Option(names = "--model-version", description = "Version to evaluate (default: the newest); 0 = the untrained model.")
    Long version;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Cluster holding the model topic (not needed for version 0).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = TopicLayout.DEFAULT_PREFIX, description = "Topic prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--client-config", paramLabel = "FILE", description = "Kafka client properties (security).")
    Path clientConfig;

    @Option(names = "--baseline", split = ",", description = "Also score model-free baselines: COPY_FIRST_K (the first k prompt "
            + "words, k = the mean train reference length), COPY_VALUES (the prompt's bracketed values in order, e.g. "
            + "name[X], food[Y] -> \"x y\"). Without --model-version or --bootstrap-servers only the baselines are scored.")
    List<Baseline> baselines = List.of();

    @Option(names = "--out", paramLabel = "FILE", description = "Write every generation (id, prompt, text, references, rougeL, bleu) as JSON Lines.")
    Path out;

    /** Model-free baselines a learned policy must beat. */
    enum Baseline { COPY_FIRST_K, COPY_VALUES }

    @Mixin
    SigningOptions signing;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    DecodingOptions decoding;

    @Override
    public Integer call() throws Exception {
        List<TaskPrompt> prompts = TaskVocabulary.load(task);
        List<TaskPrompt> evalSplit = prompts.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).toList();
        for (Baseline b : baselines) {
            System.out.println(JSON.writeValueAsString(baseline(b, prompts, evalSplit)));
        }
        if (!baselines.isEmpty() && version == null && bootstrapServers == null) {
            return 0;
        }
        Vocabulary vocabulary = TaskVocabulary.of(prompts);
        ModelSnapshot model = model(vocabulary);
        ServingPolicy policy = ServingPolicy.of(model, decoding.mask != ActionMasker.Mode.PROMPT_AND_COMMON);
        EpisodeGenerator generator = new EpisodeGenerator("eval", vocabulary, new Tokenizer(),
                new ActionMasker(decoding.mask, vocabulary, decoding.commonWords(Optional.of(prompts), vocabulary)),
                new DirectDecoder(() -> policy), 256, Clock.systemUTC(), GenerationMetrics.NONE);
        HeldOutEvaluator evaluator = new HeldOutEvaluator(generator, evalSplit, decoding.maxTokens);
        EvalResult r;
        if (out == null) {
            r = evaluator.evaluate();
        } else {
            try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                r = evaluator.evaluate(g -> writeLine(w, g));
            }
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("task", task);
        o.put("modelVersion", r.modelVersion());
        o.put("prompts", r.prompts());
        o.put("rougeL", round(r.rougeL()));
        o.put("rougeLCi95", round(r.rougeLCi95()));
        o.put("rouge1", round(r.rouge1()));
        o.put("bleu", round(r.bleu()));
        o.put("corpusBleu", round(r.corpusBleu()));
        o.put("meanTokens", round(r.meanTokens()));
        if (out != null) {
            o.put("generations", out.toString());
        }
        System.out.println(JSON.writeValueAsString(o));
        return 0;
    }

    private ModelSnapshot model(Vocabulary vocabulary) {
        if (version != null && version == 0) {
            return new ModelSnapshot(0, -1, vocabulary.fingerprint(), modelOptions.identity().untrained(vocabulary.size()));
        }
        if (bootstrapServers == null) {
            throw new IllegalArgumentException("--bootstrap-servers is needed to read a published model");
        }
        KafkaSettings settings = KafkaSettings.from(bootstrapServers, new TopicLayout(topicPrefix, 1, (short) 1),
                clientConfig, System.getenv());
        ModelSnapshot model = PublishedModels.newest(settings, "qstream-eval", modelOptions.name, signing.signer(),
                Duration.ofSeconds(60), v -> version == null || v == version).orElseThrow(() -> new IllegalArgumentException(
                version == null ? "no model published yet" : "model version " + version + " is not on the model topic"));
        if (!model.vocabularyFingerprint().equals(vocabulary.fingerprint())) {
            throw new IllegalArgumentException("the model was trained on another vocabulary than this task's");
        }
        return model;
    }

    private static void writeLine(BufferedWriter w, ScoredGeneration g) {
        try {
            ObjectNode o = JSON.createObjectNode();
            o.put("id", g.id());
            o.put("prompt", g.prompt());
            o.put("text", g.text());
            g.references().forEach(o.putArray("references")::add);
            o.put("rougeL", round(g.rougeL()));
            o.put("bleu", round(g.bleu()));
            w.write(JSON.writeValueAsString(o));
            w.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A baseline's ROUGE-L F and corpus BLEU on the eval split; its settings come from the train split only. */
    static ObjectNode baseline(Baseline kind, List<TaskPrompt> prompts, List<TaskPrompt> evalSplit) {
        Tokenizer tokenizer = new Tokenizer();
        double refTokens = prompts.stream().filter(p -> p.split() == TaskPrompt.Split.TRAIN)
                .flatMap(p -> p.references().stream()).mapToInt(r -> tokenizer.tokenize(r).size()).average().orElse(1);
        int k = (int) Math.max(1, Math.round(refTokens));
        RougeScorer rouge = new RougeScorer(false);
        List<String> texts = new ArrayList<>();
        List<List<String>> references = new ArrayList<>();
        double sum = 0;
        for (TaskPrompt p : evalSplit) {
            String text = switch (kind) {
                case COPY_FIRST_K -> {
                    List<String> words = tokenizer.tokenize(p.prompt());
                    yield tokenizer.detokenize(words.subList(0, Math.min(k, words.size())));
                }
                case COPY_VALUES -> copyValues(p.prompt());
            };
            if (!p.references().isEmpty()) {
                sum += rouge.scoreMulti(p.references(), text).rougeL().f();
                texts.add(text);
                references.add(p.references());
            }
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("baseline", kind == Baseline.COPY_FIRST_K ? "copy-first-" + k : "copy-values");
        o.put("prompts", evalSplit.size());
        o.put("rougeL", round(sum / evalSplit.size()));
        o.put("corpusBleu", round(texts.isEmpty() ? 0 : SacreBleu.corpusBleuPerSegment(texts, references).score()));
        return o;
    }

    private static final Pattern BRACKETED = Pattern.compile("\\[([^\\]]*)]");

    /** The bracketed values of a meaning representation, in order (the whole prompt when it has none). */
    static String copyValues(String prompt) {
        Matcher m = BRACKETED.matcher(prompt);
        List<String> values = new ArrayList<>();
        while (m.find()) {
            values.add(m.group(1).trim());
        }
        return values.isEmpty() ? prompt : String.join(" ", values);
    }

    private static double round(double x) {
        return Math.round(x * 1e4) / 1e4;
    }
}
