package dev.qstream.runtime.deadletter;

import dev.qstream.schemas.avro.DeadLetterReason;
import dev.qstream.schemas.serde.AvroDecodeException;
import dev.qstream.schemas.serde.AvroSerde;
import dev.qstream.schemas.validation.RecordValidator;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The door every consumed record goes through: decode, check the key, validate. A record that fails any step is
 * dead-lettered with the reason and the caller simply moves on to the next one.
 *
 * @param <T> the topic's value type
 */
public final class RecordIntake<T extends SpecificRecordBase> {

    private final AvroSerde<T> serde;
    private final RecordValidator validator;
    private final DeadLetterPublisher deadLetters;
    private final Function<T, String> expectedKey;

    /**
     * @param expectedKey the key a record must carry, derived from its value (e.g. the episode id); null when the
     *                    topic's key is not checked
     */
    public RecordIntake(AvroSerde<T> serde, RecordValidator validator, DeadLetterPublisher deadLetters,
                        Function<T, String> expectedKey) {
        this.serde = serde;
        this.validator = validator;
        this.deadLetters = deadLetters;
        this.expectedKey = expectedKey;
    }

    /** The decoded, valid value, or empty when the record was dead-lettered. */
    public Optional<T> accept(ConsumerRecord<byte[], byte[]> record) {
        T value;
        try {
            value = serde.decode(record.value());
        } catch (AvroDecodeException e) {
            deadLetters.publish(record, DeadLetterReason.DESERIALIZATION, e.getMessage(), e);
            return Optional.empty();
        }
        List<String> violations;
        try {
            violations = validator.validate(value);
            if (violations.isEmpty() && expectedKey != null) {
                String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                violations = validator.validateKey(key, expectedKey.apply(value));
            }
        } catch (RuntimeException e) {
            deadLetters.publish(record, DeadLetterReason.VALIDATION, "validation failed: " + e, e);
            return Optional.empty();
        }
        if (!violations.isEmpty()) {
            deadLetters.publish(record, DeadLetterReason.VALIDATION, String.join("; ", violations), null);
            return Optional.empty();
        }
        return Optional.of(value);
    }
}
