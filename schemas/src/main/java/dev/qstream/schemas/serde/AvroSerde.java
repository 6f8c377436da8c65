package dev.qstream.schemas.serde;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Kafka serde for a generated Avro class using Avro's single-object encoding: 2 marker bytes, the writer schema's
 * CRC-64-AVRO fingerprint, then the binary body. Every record names its writer schema, and the decoder resolves
 * any released version of it (see {@link SchemaHistory}) to the current class. Works for plain clients and Kafka
 * Streams alike; thread-safe (Avro keeps its buffers per thread).
 */
public final class AvroSerde<T extends SpecificRecordBase> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private static final String GENERATED_PACKAGE = "dev.qstream.schemas.avro";

    static {
        // Avro 1.12 only instantiates classes it is told to trust; trust exactly qstream's generated records.
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current,
                c -> GENERATED_PACKAGE.equals(c.getPackageName())));
    }

    private final Class<T> type;
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public AvroSerde(Class<T> type) {
        this(type, SchemaHistory.shipped());
    }

    public AvroSerde(Class<T> type, SchemaHistory history) {
        this.type = Objects.requireNonNull(type, "type");
        this.schema = SpecificData.get().getSchema(type);
        SpecificData model = SpecificData.getForSchema(schema);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, history.storeFor(schema));
    }

    public Schema schema() {
        return schema;
    }

    public Class<T> type() {
        return type;
    }

    /** Encodes one record; never returns null for a non-null record. */
    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes one record or throws {@link AvroDecodeException} saying exactly why not. Trailing bytes after the
     * record are an error: they mean the writer and reader disagree about the schema.
     */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new AvroDecodeException(DecodeFailure.EMPTY, "empty value where a " + type.getSimpleName() + " was expected", null);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            T record = decoder.decode(buffer, null);
            if (record == null) {
                throw new AvroDecodeException(DecodeFailure.TRUNCATED, type.getSimpleName() + " body is truncated", null);
            }
            return record;
        } catch (BadHeaderException e) {
            throw new AvroDecodeException(DecodeFailure.WRONG_MARKER,
                    "not Avro single-object encoding (expected marker C3 01) for " + type.getSimpleName(), e);
        } catch (MissingSchemaException e) {
            throw new AvroDecodeException(DecodeFailure.UNKNOWN_FINGERPRINT,
                    "writer schema fingerprint is not a known version of " + type.getSimpleName(), e);
        } catch (EOFException e) {
            throw new AvroDecodeException(DecodeFailure.TRUNCATED, type.getSimpleName() + " body is truncated", e);
        } catch (AvroDecodeException e) {
            throw e;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | IllegalArgumentException
                 | ClassCastException | NegativeArraySizeException | UnsupportedOperationException e) {
            if (causedBy(e, EOFException.class)) {
                throw new AvroDecodeException(DecodeFailure.TRUNCATED, type.getSimpleName() + " body is truncated", e);
            }
            throw new AvroDecodeException(DecodeFailure.MALFORMED,
                    type.getSimpleName() + " body does not follow its schema: " + e, e);
        }
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> kind) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (kind.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return data == null ? null : encode(data);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            // A tombstone on a compacted topic; callers that cannot accept one validate it as missing.
            return null;
        }
        return decode(data);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the schema comes from the generated class
    }

    @Override
    public void close() {
        // nothing to release
    }
}
