package dev.qstream.evaluator;

import dev.qstream.actor.decode.DirectDecoder;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.generation.GenerationMetrics;
import dev.qstream.actor.model.KafkaVariableClient;
import dev.qstream.actor.model.ServingPolicy;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.policy.network.ModelIdentity;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Tokenizer;
import dev.qstream.policy.text.Vocabulary;
import dev.qstream.policy.transport.ModelSigner;
import dev.qstream.runtime.concurrent.Worker;
import dev.qstream.runtime.service.ManagedService;
import dev.qstream.runtime.service.ServiceContext;
import dev.qstream.schemas.avro.MetricKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The held-out learning curve: follows the model topic and, every {@code everyVersions} new versions (at most once
 * per {@code minInterval}), runs a greedy pass over the task's eval split with the newest model and publishes
 * {@code eval.rougeL.f}, {@code eval.rouge1.f}, {@code eval.bleu} (mean sentence BLEU), {@code eval.bleu.corpus} (tagged with the version) to {@code qstream.metrics}.
 * The untrained model (version 0) is evaluated first, so every curve starts from the baseline.
 */
public final class EvaluatorService implements ManagedService {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluatorService.class);

    /**
     * @param actorMask the actors' masking (evaluation decides over the same valid actions)
     */
    public record Config(ModelIdentity model, Vocabulary vocabulary, List<TaskPrompt> eval, int maxTokens, ActionMasker.Mode actorMask, int commonWords,
                         int everyVersions, Duration minInterval, Optional<ModelSigner> signer) {
    }

    private final Config config;
    private final ServiceContext context;
    private final KafkaVariableClient variables;
    private final HeldOutEvaluator evaluator;
    /**
     * The one version a pass evaluates, fixed when the pass starts: the champion under a promotion gate (never the
     * challenger's canary share), else the newest; a swap during the pass waits for the next one.
     */
    private final AtomicReference<ServingPolicy> evaluated = new AtomicReference<>();
    private final Worker worker;
    private long lastVersion; // the worker thread's
    private long lastRun; // the worker thread's

    private EvaluatorService(Config config, ServiceContext context) throws InterruptedException {
        this.config = config;
        this.context = context;
        ModelSnapshot untrained = new ModelSnapshot(0, -1, config.vocabulary().fingerprint(),
                config.model().untrained(config.vocabulary().size()));
        // Start from the untrained model and catch up by following the topic, so the baseline comes first.
        this.variables = new KafkaVariableClient(context, config.model().name(), config.signer(), untrained,
                m -> m.vocabularyFingerprint().equals(config.vocabulary().fingerprint()), "the task's vocabulary",
                config.actorMask() != ActionMasker.Mode.PROMPT_AND_COMMON);
        EpisodeGenerator generator = new EpisodeGenerator("evaluator", config.vocabulary(), new Tokenizer(),
                new ActionMasker(config.actorMask(), config.vocabulary(), config.commonWords()), new DirectDecoder(evaluated::get),
                256, Clock.systemUTC(), GenerationMetrics.NONE);
        this.evaluator = new HeldOutEvaluator(generator, config.eval(), config.maxTokens());
        this.worker = Worker.named("evaluator").interruptOnStop().joinTimeout(Duration.ofSeconds(30))
                .setUp(() -> lastRun = System.nanoTime()).build(this::step);
    }

    public static EvaluatorService start(Config config, ServiceContext context) throws InterruptedException {
        EvaluatorService service = new EvaluatorService(config, context);
        service.evaluateAndPublish(); // version 0: the untrained baseline
        service.variables.start(Duration.ofSeconds(60));
        service.worker.start();
        return service;
    }

    private void step() throws InterruptedException {
        Thread.sleep(500);
        long version = variables.current().version();
        boolean due = version >= lastVersion + config.everyVersions()
                || (version > lastVersion && System.nanoTime() - lastRun > 6 * config.minInterval().toNanos());
        if (due && System.nanoTime() - lastRun >= config.minInterval().toNanos()) {
            lastVersion = evaluateAndPublish().modelVersion();
            lastRun = System.nanoTime();
        }
    }

    private EvalResult evaluateAndPublish() throws InterruptedException {
        evaluated.set(variables.current());
        EvalResult r = evaluator.evaluate();
        Map<String, String> tags = Map.of("version", String.valueOf(r.modelVersion()), "prompts", String.valueOf(r.prompts()));
        context.metrics().publish("eval.rougeL.f", MetricKind.GAUGE, r.rougeL(), tags);
        context.metrics().publish("eval.rougeL.ci95", MetricKind.GAUGE, r.rougeLCi95(), tags);
        context.metrics().publish("eval.rouge1.f", MetricKind.GAUGE, r.rouge1(), tags);
        context.metrics().publish("eval.bleu", MetricKind.GAUGE, r.bleu(), tags);
        context.metrics().publish("eval.bleu.corpus", MetricKind.GAUGE, r.corpusBleu(), tags);
        context.metrics().publish("eval.tokens.mean", MetricKind.GAUGE, r.meanTokens(), tags);
        LOG.info("held-out eval of model version {}: ROUGE-L F {} ± {}, ROUGE-1 F {}, BLEU {} over {} prompts",
                r.modelVersion(), fmt(r.rougeL()), fmt(r.rougeLCi95()), fmt(r.rouge1()), fmt(r.bleu()), r.prompts());
        return r;
    }

    private static String fmt(double x) {
        return String.format("%.3f", x);
    }

    @Override
    public String failure() {
        Throwable f = worker.failure();
        return f == null ? null : "evaluation failed: " + f;
    }

    @Override
    public void close() {
        worker.close();
        variables.close();
    }
}
