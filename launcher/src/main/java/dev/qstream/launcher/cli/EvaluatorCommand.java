package dev.qstream.launcher.cli;

import dev.qstream.launcher.options.ServiceOptions;
import dev.qstream.launcher.options.DecodingOptions;
import dev.qstream.launcher.options.ModelOptions;
import dev.qstream.launcher.options.DurationConverter;
import dev.qstream.launcher.options.SigningOptions;
import dev.qstream.actor.decode.ActionMasker;
import dev.qstream.actor.service.ActorConfig;
import dev.qstream.evaluator.EvaluatorService;
import dev.qstream.tasks.TaskPrompt;
import dev.qstream.tasks.TaskVocabulary;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.policy.text.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code qstream evaluator}: the held-out learning curve, as a service next to the loop. */
@Command(name = "evaluator", mixinStandardHelpOptions = true,
        description = "Evaluate new model versions greedily on the task's eval split and publish the held-out curve.")
public final class EvaluatorCommand implements Callable<Integer> {

    @Mixin
    ServiceOptions service;

    @Mixin
    SigningOptions signing;

    @Option(names = "--task", defaultValue = TaskVocabulary.BUILTIN, paramLabel = "FILE|builtin",
            description = "Task whose eval split is evaluated (and whose vocabulary the model uses) (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--every-versions", defaultValue = "5", description = "Evaluate every N new versions (default: ${DEFAULT-VALUE}).")
    int everyVersions;

    @Option(names = "--min-interval", defaultValue = "15s", converter = DurationConverter.class,
            description = "At most one evaluation per interval (default: ${DEFAULT-VALUE}).")
    Duration minInterval;

    @Mixin
    ModelOptions model;

    @Mixin
    DecodingOptions decoding;

    @Override
    public Integer call() throws Exception {
        List<TaskPrompt> prompts = TaskVocabulary.load(task);
        Vocabulary vocabulary = TaskVocabulary.of(prompts);
        List<TaskPrompt> evalSplit = prompts.stream().filter(p -> p.split() == TaskPrompt.Split.EVAL).toList();
        String id = ServiceRunner.instanceId(service, "evaluator");
        EvaluatorService.Config config = new EvaluatorService.Config(model.identity(), vocabulary,
                evalSplit, decoding.maxTokens, decoding.mask, decoding.commonWords(Optional.of(prompts), vocabulary), everyVersions,
                minInterval, signing.signer());
        return ServiceRunner.run(service, "evaluator", id, context -> EvaluatorService.start(config, context));
    }
}
