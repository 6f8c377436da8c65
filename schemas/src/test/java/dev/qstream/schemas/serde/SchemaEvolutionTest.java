package dev.qstream.schemas.serde;

import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Prompt;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.topics.SchemaCatalog;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Records written with every released version are read by the current code, and records written by the current
 * code are read by the previous version's reader once it knows the writer schema (the shipped history, or the
 * schemas topic through {@link SchemaDirectory}).
 */
class SchemaEvolutionTest {

    @AfterEach
    void uninstall() {
        SchemaDirectory.uninstall();
    }

    private static byte[] encode(Schema writer, GenericRecord record) throws Exception {
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @TestFactory
    List<DynamicTest> everyReleasedVersionIsReadByTheCurrentCode() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Class<? extends SpecificRecordBase> type : SchemaCatalog.versionedRecords()) {
            Schema current = SpecificData.get().getSchema(type);
            List<Schema> versions = SchemaHistory.shipped().versions(current.getName());
            for (int v = 0; v < versions.size(); v++) {
                Schema old = versions.get(v);
                tests.add(DynamicTest.dynamicTest(current.getName() + " v" + (v + 1) + " -> current", () -> {
                    Random random = new Random(42);
                    for (int i = 0; i < 20; i++) {
                        GenericRecord written = (GenericRecord) SampleRecords.generate(old, random);
                        byte[] bytes = encode(old, written);
                        // The specific class (what services use) decodes it ...
                        SpecificRecordBase decoded = new AvroSerde<>(type).decode(bytes);
                        assertThat(decoded).isNotNull();
                        // ... and every field both versions share keeps its value.
                        GenericRecord asCurrent = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), current,
                                SchemaHistory.shipped().storeFor(current)).decode(bytes);
                        assertSameData(asCurrent, written, old, current.getName());
                    }
                }));
            }
        }
        return tests;
    }

    /** Everything the old writer wrote is what the current reader reads (fields only the current schema has aside). */
    @SuppressWarnings("unchecked")
    private static void assertSameData(Object read, Object written, Schema writer, String path) {
        switch (writer.getType()) {
            case RECORD -> {
                GenericRecord r = (GenericRecord) read;
                GenericRecord w = (GenericRecord) written;
                for (Schema.Field f : writer.getFields()) {
                    if (r.getSchema().getField(f.name()) != null) {
                        assertSameData(r.get(f.name()), w.get(f.name()), f.schema(), path + "." + f.name());
                    }
                }
            }
            case UNION -> assertSameData(read, written, writer.getTypes().get(GenericData.get().resolveUnion(writer, written)), path);
            case ARRAY -> {
                List<Object> r = (List<Object>) read;
                List<Object> w = (List<Object>) written;
                assertThat(r).as(path).hasSameSizeAs(w);
                for (int i = 0; i < w.size(); i++) {
                    assertSameData(r.get(i), w.get(i), writer.getElementType(), path + "[" + i + "]");
                }
            }
            case MAP -> {
                Map<Object, Object> r = (Map<Object, Object>) read;
                Map<Object, Object> w = (Map<Object, Object>) written;
                assertThat(r).as(path).hasSameSizeAs(w);
                for (var e : w.entrySet()) {
                    Object key = r.keySet().stream().filter(k -> k.toString().equals(e.getKey().toString())).findFirst().orElse(null);
                    assertThat(key).as(path + " key " + e.getKey()).isNotNull();
                    assertSameData(r.get(key), e.getValue(), writer.getValueType(), path + "[" + e.getKey() + "]");
                }
            }
            case STRING, ENUM -> assertThat(String.valueOf(read)).as(path).isEqualTo(String.valueOf(written));
            default -> assertThat(read).as(path).isEqualTo(written);
        }
    }

    private static Transition currentTransition() {
        return Transition.newBuilder().setEpisodeId(UUID.randomUUID().toString()).setPromptId("p").setActorId("a").setStep(1)
                .setPromptTokens(List.of(3, 4)).setPrefixTokens(List.of(5)).setAction(6).setActionToken("w")
                .setValidActions(List.of(2, 6)).setDone(false).setEndReason(null).setPolicyVersion(3)
                .setBehaviourProbability(0.9).setExploration(ExplorationStrategy.EPSILON_GREEDY)
                .setDecisionMicros(17).setCreatedAt(1_700_000_000_000L).build();
    }

    @Test
    void thePreviousVersionsReaderReadsCurrentRecordsOnceItKnowsTheWriterSchema() throws Exception {
        List<Schema> versions = SchemaHistory.shipped().versions("Transition");
        assertThat(versions).hasSizeGreaterThanOrEqualTo(2);
        Schema previous = versions.get(versions.size() - 2);
        byte[] bytes = Serdes.TRANSITION.encode(currentTransition());

        // An old build knows only the history it shipped with: the current fingerprint is unknown to it ...
        SchemaStore.Cache oldBuild = new SchemaStore.Cache();
        for (int v = 0; v < versions.size() - 1; v++) {
            oldBuild.addSchema(versions.get(v));
        }
        BinaryMessageDecoder<GenericRecord> oldReaderAlone = new BinaryMessageDecoder<>(GenericData.get(), previous, oldBuild);
        assertThatThrownBy(() -> oldReaderAlone.decode(bytes)).isInstanceOf(MissingSchemaException.class);

        // ... until the writer schema is announced (the schemas topic, through the directory).
        SchemaDirectory.install(fp -> fp == SchemaHistory.fingerprint(Transition.getClassSchema()) ? Transition.getClassSchema() : null);
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData.get(), previous,
                fp -> {
                    Schema s = oldBuild.findByFingerprint(fp);
                    return s != null ? s : SchemaDirectory.lookup(fp);
                });
        GenericRecord read = oldReader.decode(bytes);
        assertThat(read.get("step")).isEqualTo(1);
        assertThat(read.get("actionToken").toString()).isEqualTo("w");
        assertThat(read.getSchema()).isEqualTo(previous); // read as the old build knows a Transition
    }

    @Test
    void anOlderPromptWithoutMaxTokensReadsAsTheDefault() throws Exception {
        Schema v1 = SchemaHistory.shipped().versions("Prompt").get(0);
        assertThat(v1.getField("maxTokens")).isNull();
        GenericRecord old = new GenericData.Record(v1);
        old.put("promptId", "p1");
        old.put("text", "hello");
        old.put("references", List.of("hi"));
        old.put("task", "t");
        old.put("deadline", null);
        old.put("createdAt", 1_700_000_000_000L);
        Prompt read = Serdes.PROMPT.decode(encode(v1, old));
        assertThat(read.getMaxTokens()).isNull();
        assertThat(read.getReferences()).containsExactly("hi");
    }

    @Test
    void anEnumSymbolAddedByANewerWriterReadsAsUnknown() throws Exception {
        Schema current = Transition.getClassSchema();
        // A future writer adds a strategy; its schema is announced on the schemas topic.
        String json = current.toString().replace("\"BOLTZMANN\",\"DEMONSTRATION\"]",
                "\"BOLTZMANN\",\"DEMONSTRATION\",\"THOMPSON\"]");
        Schema future = new Schema.Parser().parse(json);
        SchemaDirectory.install(fp -> fp == SchemaHistory.fingerprint(future) ? future : null);
        GenericRecord record = (GenericRecord) SampleRecords.generate(future, new Random(1));
        record.put("exploration", new GenericData.EnumSymbol(future.getField("exploration").schema(), "THOMPSON"));
        Transition read = Serdes.TRANSITION.decode(encode(future, record));
        assertThat(read.getExploration()).isEqualTo(ExplorationStrategy.UNKNOWN);
    }
}
