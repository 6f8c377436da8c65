package dev.qstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qstream.schemas.avro.Episode;
import dev.qstream.schemas.avro.ScoredEpisode;
import dev.qstream.schemas.avro.ScoredTransition;
import dev.qstream.schemas.avro.Transition;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

/** The hand-written writers against Avro's generated encoders: the same bytes on random records. */
class DirectWriterTest {

    @Test
    void followTheCurrentSchemas() {
        assertThat(TransitionWriter.SCHEMA_FINGERPRINT)
                .as("Transition.avsc changed: update TransitionWriter to write the new schema, then its fingerprint")
                .isEqualTo(SchemaHistory.fingerprint(Transition.getClassSchema()));
        assertThat(ScoredTransitionWriter.SCHEMA_FINGERPRINT)
                .as("ScoredTransition.avsc (or a record inside) changed: update ScoredTransitionWriter, then its fingerprint")
                .isEqualTo(SchemaHistory.fingerprint(ScoredTransition.getClassSchema()));
        assertThat(ScoredEpisodeWriter.SCHEMA_FINGERPRINT)
                .as("ScoredEpisode.avsc (or a record inside) changed: update ScoredEpisodeWriter, then its fingerprint")
                .isEqualTo(SchemaHistory.fingerprint(ScoredEpisode.getClassSchema()));
        assertThat(EpisodeWriter.SCHEMA_FINGERPRINT)
                .as("Episode.avsc (or a record inside) changed: update EpisodeWriter, then its fingerprint")
                .isEqualTo(SchemaHistory.fingerprint(Episode.getClassSchema()));
        assertThat(DirectWriter.forType(Transition.class, SchemaHistory.fingerprint(Transition.getClassSchema()))).isNotNull();
        assertThat(DirectWriter.forType(ScoredTransition.class, 42L)).as("a schema it was not written for").isNull();
    }

    @Test
    void writeWhatAvroWritesOnRandomRecords() throws IOException {
        Random random = new Random(23);
        int nullMasks = 0;
        int nullScores = 0;
        int nullHuman = 0;
        for (int i = 0; i < 2_000; i++) {
            // Records as a consumer sees them (decoded: int-backed token lists) and as a producer builds them (boxed).
            Transition t = Serdes.TRANSITION.decode(Serdes.TRANSITION.encode(
                    (Transition) SpecificData.get().deepCopy(Transition.getClassSchema(),
                            SampleRecords.generate(Transition.getClassSchema(), random))));
            assertThat(direct(new TransitionWriter(), t)).as("transition %d", i).isEqualTo(avro(t));
            ScoredTransition s = (ScoredTransition) SpecificData.get().deepCopy(ScoredTransition.getClassSchema(),
                    (GenericRecord) SampleRecords.generate(ScoredTransition.getClassSchema(), random));
            assertThat(direct(new ScoredTransitionWriter(), s)).as("scored %d", i).isEqualTo(avro(s));
            s.setTransition(t);
            assertThat(direct(new ScoredTransitionWriter(), s)).as("scored %d, decoded transition", i).isEqualTo(avro(s));
            nullMasks += s.getNextValidActions() == null ? 1 : 0;
            ScoredEpisode e = (ScoredEpisode) SpecificData.get().deepCopy(ScoredEpisode.getClassSchema(),
                    (GenericRecord) SampleRecords.generate(ScoredEpisode.getClassSchema(), random));
            assertThat(direct(new ScoredEpisodeWriter(), e)).as("episode %d", i).isEqualTo(avro(e));
            e = Serdes.SCORED_EPISODE.decode(Serdes.SCORED_EPISODE.encode(e)); // int-backed lists, as the scorer holds them
            assertThat(direct(new ScoredEpisodeWriter(), e)).as("episode %d, decoded", i).isEqualTo(avro(e));
            Episode summary = summary((GenericRecord) SampleRecords.generate(Episode.getClassSchema(), random));
            assertThat(direct(new EpisodeWriter(), summary)).as("summary %d", i).isEqualTo(avro(summary));
            nullScores += summary.getScores() == null ? 1 : 0;
            nullHuman += summary.getScores() != null && summary.getScores().getHuman() == null ? 1 : 0;
        }
        assertThat(nullMasks).as("both union branches were tried").isBetween(1, 1_999);
        assertThat(nullScores).as("both branches of the scores union").isBetween(1, 1_999);
        assertThat(nullHuman).as("both branches of the human union").isBetween(1, 1_999);
    }

    private static <T extends SpecificRecordBase> byte[] avro(T record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        SpecificData model = new SpecificData();
        model.setCustomCoders(true);
        new SpecificDatumWriter<T>(record.getSchema(), model).write(record, out);
        out.flush();
        return bytes.toByteArray();
    }

    /** A random generic summary as the specific record its bytes decode to (uuid and timestamp converted). */
    private static Episode summary(GenericRecord generic) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(generic.getSchema()).write(generic, out);
        out.flush();
        return new SpecificDatumReader<>(Episode.class).read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }

    private static <T> byte[] direct(DirectWriter<T> writer, T record) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
        writer.write(record, out);
        out.flush();
        return bytes.toByteArray();
    }
}
