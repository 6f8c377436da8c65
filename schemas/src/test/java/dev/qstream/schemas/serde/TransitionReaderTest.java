package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.Transition;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-written Transition reader against Avro's own, on random records and on every kind of broken body. */
class TransitionReaderTest {

    private static byte[] body(GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void followsTheCurrentTransitionSchema() {
        assertThat(TransitionReader.SCHEMA_FINGERPRINT)
                .as("Transition.avsc changed: update TransitionReader to read the new schema, then its fingerprint")
                .isEqualTo(SchemaHistory.fingerprint(Transition.getClassSchema()));
        assertThat(DirectReader.forType(Transition.class, SchemaHistory.fingerprint(Transition.getClassSchema()))).isNotNull();
        assertThat(DirectReader.forType(Transition.class, 42L)).as("a schema it was not written for").isNull();
    }

    @Test
    void readsWhatAvroReadsOnRandomRecords() throws IOException {
        SpecificData model = new SpecificData();
        SpecificDatumReader<Transition> avro = new SpecificDatumReader<>(Transition.getClassSchema(), Transition.getClassSchema(), model);
        TransitionReader direct = new TransitionReader();
        Random random = new Random(17);
        int withNullMask = 0;
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = body((GenericRecord) SampleRecords.generate(Transition.getClassSchema(), random));
            Transition expected = avro.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
            var decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            Transition actual = direct.read(decoder, new Utf8());
            assertThat(actual).as("record %d", i).isEqualTo(expected);
            assertThat(decoder.isEnd()).isTrue();
            withNullMask += expected.getValidActions() == null ? 1 : 0;
        }
        assertThat(withNullMask).as("both union branches were tried").isBetween(1, 1_999);
    }

    @Test
    void everyTruncationAndABadUnionIndexAreDecodeErrors() {
        byte[] good = Serdes.TRANSITION.encode(AvroSerdeTest.transition());
        for (int length = 10; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            assertThatThrownBy(() -> Serdes.TRANSITION.decode(cut)).as("cut at %d", length)
                    .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.failure())
                            .isIn(DecodeFailure.TRUNCATED, DecodeFailure.MALFORMED));
        }
        // validActions' union index is the byte after actionToken ("nine"): 1 (zig-zag 0x02) becomes 2 (0x04).
        byte[] badUnion = good.clone();
        int at = indexOf(badUnion, "nine".getBytes()) + 4;
        assertThat(badUnion[at]).isEqualTo((byte) 0x02);
        badUnion[at] = 0x04;
        assertThatThrownBy(() -> Serdes.TRANSITION.decode(badUnion))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.failure()).isEqualTo(DecodeFailure.MALFORMED))
                .hasMessageContaining("union index 2");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
