package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.DecodingOptions;
import dev.qstream.launcher.options.ModelOptions;
import dev.qstream.launcher.options.SigningOptions;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.learner.publish.PublishedModels;
import dev.qstream.evaluator.EvalResult;
import dev.qstream.evaluator.HeldOutEvaluator;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code qstream eval}: one held-out evaluation, offline, printed as one JSON line. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a published model (the newest, or --model-version) greedily on a task's eval split; prints one JSON line.")
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--task", required = true, paramLabel = "FILE|builtin", description = "Task file, or builtin.")
    String task;

    @Option(names = "--model-version", description = "Version to evaluate (default: the newest); 0 = the untrained model.")
    Long version;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Cluster holding the model topic (not needed for version 0).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = "qstream", description = "Topic prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--client-config", paramLabel = "FILE", description = "Kafka client properties (security).")
    java.nio.file.Path clientConfig;

    @Option(names = "--baseline", description = "Instead of a model, score a baseline: COPY_FIRST_K (the first k prompt words, "
            + "k = the mean reference length of the task).")
    Baseline baseline;

    /** Model-free baselines a learned policy must beat. */
    enum Baseline { COPY_FIRST_K }

    @Mixin
    SigningOptions signing;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    DecodingOptions decoding;

    @Override
    public Integer call() throws Exception {
        List<TaskPrompt> prompts = TaskVocabulary.load(task);
        if (baseline != null) {
            return copyFirstK(prompts);
        }
        Vocabulary vocabulary = TaskVocabulary.of(prompts);
        ModelSnapshot model;
        if (version != null && version == 0) {
            model = new ModelSnapshot(0, -1, vocabulary.fingerprint(), modelOptions.identity().untrained(vocabulary.size()));
        } else {
            if (bootstrapServers == null) {
                throw new IllegalArgumentException("--bootstrap-servers is needed to read a published model");
            }
            var settings = dev.qstream.runtime.kafka.KafkaSettings.from(bootstrapServers,
                    new dev.qstream.schemas.topics.TopicLayout(topicPrefix, 1, (short) 1), clientConfig, System.getenv());
            model = PublishedModels.newest(settings, "qstream-eval", modelOptions.name, signing.signer(), Duration.ofSeconds(60),
                    v -> version == null || v == version).orElseThrow(() -> new IllegalArgumentException(
                    version == null ? "no model published yet" : "model version " + version + " is not on the model topic"));
            if (!model.vocabularyFingerprint().equals(vocabulary.fingerprint())) {
                throw new IllegalArgumentException("the model was trained on another vocabulary than this task's");
            }
        }
        ServingPolicy policy = ServingPolicy.of(model, decoding.mask != ActionMasker.Mode.PROMPT_AND_COMMON);
        EpisodeGenerator generator = new EpisodeGenerator("eval", vocabulary, new Tokenizer(),
                new ActionMasker(decoding.mask, vocabulary, decoding.commonWords(Optional.of(prompts), vocabulary)), new DirectDecoder(() -> policy), 256,
                Clock.systemUTC(), GenerationMetrics.NONE);
        EvalResult r = new HeldOutEvaluator(generator, prompts.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).toList(),
                decoding.maxTokens).evaluate();
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        o.put("task", task);
        o.put("modelVersion", r.modelVersion());
        o.put("prompts", r.prompts());
        o.put("rougeL", round(r.rougeL()));
        o.put("rougeLCi95", round(r.rougeLCi95()));
        o.put("rouge1", round(r.rouge1()));
        o.put("bleu", round(r.bleu()));
        o.put("meanTokens", round(r.meanTokens()));
        System.out.println(json.writeValueAsString(o));
        return 0;
    }

    /** ROUGE-L F of copying the first k prompt words, k = the mean reference length (in words). */
    private int copyFirstK(List<TaskPrompt> prompts) throws Exception {
        Tokenizer tokenizer = new Tokenizer();
        double refTokens = prompts.stream().flatMap(p -> p.references().stream()).mapToInt(r -> tokenizer.tokenize(r).size()).average().orElse(1);
        int k = (int) Math.max(1, Math.round(refTokens));
        dev.qstream.scorer.metrics.RougeScorer rouge = new dev.qstream.scorer.metrics.RougeScorer(false);
        List<TaskPrompt> evalSplit = prompts.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).toList();
        double sum = 0;
        for (TaskPrompt p : evalSplit) {
            List<String> words = tokenizer.tokenize(p.prompt());
            String copy = tokenizer.detokenize(words.subList(0, Math.min(k, words.size())));
            sum += p.references().isEmpty() ? 0 : rouge.scoreMulti(p.references(), copy).rougeL().f();
        }
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("task", task);
        o.put("baseline", "copy-first-" + k);
        o.put("prompts", evalSplit.size());
        o.put("rougeL", round(sum / evalSplit.size()));
        System.out.println(new ObjectMapper().writeValueAsString(o));
        return 0;
    }

    private static double round(double x) {
        return Math.round(x * 1e4) / 1e4;
    }
}
