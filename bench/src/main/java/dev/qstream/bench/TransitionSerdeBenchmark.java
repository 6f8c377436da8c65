package dev.qstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qstream.schemas.avro.ExplorationStrategy;
import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Serialize + deserialize of one Transition carrying 64 token ids (24 prompt, 20 prefix, 20 valid actions): the
 * Avro single-object serde the services use, next to Jackson JSON of the same content.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TransitionSerdeBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    Transition transition;
    byte[] avro;
    byte[] json;
    /** Avro's own reader of the same bodies (generated coders on), to compare the hand-written TransitionReader. */
    SpecificDatumReader<Transition> avroReader;
    BinaryDecoder decoder;

    /** The benchmark's record: 64 token ids in all. */
    public static Transition sample() {
        List<Integer> prompt = new ArrayList<>();
        List<Integer> prefix = new ArrayList<>();
        List<Integer> valid = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            prompt.add(100 + i * 37);
        }
        for (int i = 0; i < 20; i++) {
            prefix.add(3 + i * 11);
            valid.add(2 + i * 7);
        }
        return Transition.newBuilder().setEpisodeId("5f0e7a2c-3b1d-4c8e-9f6a-0b2c4d6e8f10")
                .setPromptId("data-to-text-123").setActorId("actor-1").setStep(20).setPromptTokens(prompt)
                .setPrefixTokens(prefix).setAction(9).setActionToken("riverside").setValidActions(valid).setDone(false)
                .setEndReason(null).setPolicyVersion(42).setBehaviourProbability(0.95)
                .setExploration(ExplorationStrategy.EPSILON_GREEDY).setDecisionMicros(35)
                .setCreatedAt(1_764_000_000_000L).build();
    }

    /** The same content as JSON, field for field. */
    public static byte[] toJson(Transition t) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("episodeId", t.getEpisodeId());
        o.put("promptId", t.getPromptId());
        o.put("actorId", t.getActorId());
        o.put("step", t.getStep());
        ArrayNode p = o.putArray("promptTokens");
        t.getPromptTokens().forEach(p::add);
        ArrayNode x = o.putArray("prefixTokens");
        t.getPrefixTokens().forEach(x::add);
        o.put("action", t.getAction());
        o.put("actionToken", t.getActionToken());
        ArrayNode v = o.putArray("validActions");
        t.getValidActions().forEach(v::add);
        o.put("done", t.getDone());
        o.putNull("endReason");
        o.put("policyVersion", t.getPolicyVersion());
        o.put("behaviourProbability", t.getBehaviourProbability());
        o.put("exploration", t.getExploration().name());
        o.put("decisionMicros", t.getDecisionMicros());
        o.put("createdAt", t.getCreatedAt());
        return JSON.writeValueAsBytes(o);
    }

    @Setup
    public void setUp() throws IOException {
        transition = sample();
        avro = Serdes.TRANSITION.encode(transition);
        json = toJson(transition);
        SpecificData model = new SpecificData();
        model.setCustomCoders(true);
        avroReader = new SpecificDatumReader<>(Transition.getClassSchema(), Transition.getClassSchema(), model);
    }

    @Benchmark
    public Transition avroRoundTrip() {
        return Serdes.TRANSITION.decode(Serdes.TRANSITION.encode(transition));
    }

    @Benchmark
    public byte[] avroEncode() {
        return Serdes.TRANSITION.encode(transition);
    }

    @Benchmark
    public Transition avroDecode() {
        return Serdes.TRANSITION.decode(avro);
    }

    /** The body (after the 10-byte single-object header) through Avro's SpecificDatumReader. */
    @Benchmark
    public Transition avroDecodeWithAvrosReader() throws IOException {
        decoder = DecoderFactory.get().binaryDecoder(avro, 10, avro.length - 10, decoder);
        return avroReader.read(null, decoder);
    }

    @Benchmark
    public JsonNode jsonRoundTrip() throws IOException {
        return JSON.readTree(toJson(transition));
    }
}
