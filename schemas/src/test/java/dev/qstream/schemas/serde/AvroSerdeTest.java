package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Transition;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AvroSerdeTest {

    static Transition transition() {
        return Transition.newBuilder().setEpisodeId("00000000-0000-0000-0000-000000000001")
                .setPromptId("p").setActorId("a").setStep(2).setPromptTokens(List.of(3, 4, 5)).setPrefixTokens(List.of(7, 8))
                .setAction(9).setActionToken("nine").setValidActions(List.of(2, 9)).setDone(true).setEndReason(null)
                .setPolicyVersion(4).setBehaviourProbability(0.5).setExploration(ExplorationStrategy.BOLTZMANN)
                .setDecisionMicros(12).setCreatedAt(1_700_000_000_123L).build();
    }

    @Test
    void roundTripsAndWritesSingleObjectEncoding() {
        Transition t = transition();
        byte[] bytes = Serdes.TRANSITION.encode(t);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(SchemaHistory.fingerprint(Transition.getClassSchema()));
        assertThat(Serdes.TRANSITION.decode(bytes)).isEqualTo(t);
        assertThat(Serdes.TRANSITION.deserialize("t", null)).isNull();
    }

    @Test
    void classifiesEveryKindOfBadBytes() {
        byte[] good = Serdes.TRANSITION.encode(transition());
        assertFailure(new byte[0], DecodeFailure.EMPTY);
        assertFailure(null, DecodeFailure.EMPTY);
        assertFailure("not avro at all".getBytes(), DecodeFailure.WRONG_MARKER);
        byte[] wrongMarker = good.clone();
        wrongMarker[1] = 0x02;
        assertFailure(wrongMarker, DecodeFailure.WRONG_MARKER);
        byte[] unknown = good.clone();
        unknown[5] ^= 0x5A;
        assertFailure(unknown, DecodeFailure.UNKNOWN_FINGERPRINT);
        assertFailure(Arrays.copyOf(good, good.length - 6), DecodeFailure.TRUNCATED);
        assertFailure(Arrays.copyOf(good, 11), DecodeFailure.TRUNCATED);
        assertFailure(unknownEnumIndex(), DecodeFailure.MALFORMED);
    }

    /** A Transition body whose exploration enum index is past the last symbol, under the current fingerprint. */
    static byte[] unknownEnumIndex() {
        Schema current = Transition.getClassSchema();
        Schema wider = new Schema.Parser().parse(current.toString().replace("\"DEMONSTRATION\"]", "\"DEMONSTRATION\",\"BOGUS\"]"));
        GenericRecord r = (GenericRecord) SampleRecords.generate(wider, new Random(3));
        r.put("exploration", new GenericData.EnumSymbol(wider.getField("exploration").schema(), "BOGUS"));
        try {
            ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), wider).encode(r);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            // Same body layout, so claim the current schema: the enum index is then out of range.
            ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(2, SchemaHistory.fingerprint(current));
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertFailure(byte[] bytes, DecodeFailure expected) {
        assertThatThrownBy(() -> Serdes.TRANSITION.decode(bytes))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.failure()).isEqualTo(expected))
                .hasMessageStartingWith(expected.name());
    }
}
