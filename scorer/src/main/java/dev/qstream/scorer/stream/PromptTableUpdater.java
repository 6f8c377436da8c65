package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.validation.RecordValidator;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global prompt table: the latest valid prompt per id. Invalid prompts are not stored (the actor
 * dead-letters them when it reads them, so they are counted once, there); a null value deletes the prompt.
 */
final class PromptTableUpdater implements Processor<String, Prompt, Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(PromptTableUpdater.class);

    private final RecordValidator validator;
    private KeyValueStore<String, Prompt> store;

    PromptTableUpdater(RecordValidator validator) {
        this.validator = validator;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(ScorerTopology.PROMPT_STORE);
    }

    @Override
    public void process(Record<String, Prompt> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            return;
        }
        var violations = validator.validate(record.value());
        if (violations.isEmpty() && record.key().equals(record.value().getPromptId())) {
            store.put(record.key(), record.value());
        } else {
            LOG.debug("prompt {} not stored: {}", record.key(), violations);
        }
    }
}
