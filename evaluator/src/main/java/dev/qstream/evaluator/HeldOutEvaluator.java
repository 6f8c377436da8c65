package dev.qstream.evaluator;

import dev.qstream.actor.generation.EpisodeGenerator;
import dev.qstream.actor.decode.Exploration;
import dev.qstream.actor.generation.GenerationResult;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.scorer.similarity.RougeScorer;
import dev.qstream.scorer.similarity.RougeScores;
import dev.qstream.scorer.similarity.SacreBleu;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A greedy pass over a task's eval split with whatever model the generator's decoder serves: no exploration, and no
 * transitions emitted (evaluation never becomes training data). Scores with the scorer's exact ROUGE and BLEU.
 */
public final class HeldOutEvaluator {

    private final EpisodeGenerator generator;
    private final List<TaskPrompt> eval;
    private final int maxTokens;
    private final RougeScorer rouge = new RougeScorer(false);

    public HeldOutEvaluator(EpisodeGenerator generator, List<TaskPrompt> eval, int maxTokens) {
        if (eval.isEmpty()) {
            throw new IllegalArgumentException("the task has no eval prompts");
        }
        this.generator = generator;
        this.eval = List.copyOf(eval);
        this.maxTokens = maxTokens;
    }

    public EvalResult evaluate() throws InterruptedException {
        return evaluate(g -> { });
    }

    /** The same, handing each generation with its scores to {@code each} as it is made. */
    public EvalResult evaluate(Consumer<ScoredGeneration> each) throws InterruptedException {
        double sumL = 0;
        double sumSqL = 0;
        double sum1 = 0;
        double sumBleu = 0;
        double tokens = 0;
        long version = -1;
        SplittableRandom unused = new SplittableRandom(0); // greedy: never drawn from
        List<String> hypotheses = new ArrayList<>();
        List<List<String>> references = new ArrayList<>();
        for (TaskPrompt p : eval) {
            GenerationResult r = generator.generate(p.id(), p.prompt(), null, Exploration.greedy(), maxTokens, unused, null);
            version = Math.max(version, r.lastVersion());
            double l = 0;
            double one = 0;
            double bleu = 0;
            if (!p.references().isEmpty()) {
                RougeScores s = rouge.scoreMulti(p.references(), r.text());
                l = s.rougeL().f();
                one = s.rouge1().f();
                bleu = SacreBleu.sentenceBleu(r.text(), p.references());
            }
            if (!p.references().isEmpty()) {
                hypotheses.add(r.text());
                references.add(p.references());
            }
            each.accept(new ScoredGeneration(p.id(), p.prompt(), r.text(), p.references(), l, bleu));
            sumL += l;
            sumSqL += l * l;
            sum1 += one;
            sumBleu += bleu;
            tokens += r.tokens().size();
        }
        int n = eval.size();
        double mean = sumL / n;
        double variance = n > 1 ? Math.max(0, (sumSqL - n * mean * mean) / (n - 1)) : 0;
        double corpusBleu = hypotheses.isEmpty() ? 0 : SacreBleu.corpusBleuPerSegment(hypotheses, references).score();
        return new EvalResult(version, n, mean, 1.96 * Math.sqrt(variance / n), sum1 / n, sumBleu / n, corpusBleu,
                tokens / n);
    }
}
