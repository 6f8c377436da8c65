package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.Serdes;
import dev.qstream.schemas.validation.RecordValidator;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the global prompt table: the latest valid prompt per id. It reads raw bytes and decodes them itself:
 * undecodable or invalid prompts are not stored (the actor dead-letters them when it reads the same records, so they
 * are counted once, there), and a decoding failure can never stop the global thread. A null value deletes.
 */
final class PromptTableUpdater implements Processor<String, byte[], Void, Void> {

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
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            return;
        }
        Prompt prompt;
        try {
            prompt = Serdes.PROMPT.decode(record.value());
        } catch (AvroDecodeException e) {
            LOG.debug("prompt record {} not stored: {}", record.key(), e.getMessage());
            return;
        }
        var violations = validator.validate(prompt);
        if (violations.isEmpty() && record.key().equals(prompt.getPromptId())) {
            store.put(record.key(), prompt);
        } else {
            LOG.debug("prompt {} not stored: {}", record.key(), violations);
        }
    }
}
