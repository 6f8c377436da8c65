package dev.qstream.policy.transport;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.network.WeightFormat;
import dev.qstream.policy.state.EncoderSpec;
import dev.qstream.schemas.avro.ModelUpdate;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ModelTransportTest {

    private static final String FP = "cd".repeat(32);
    private static final ModelSigner KEY = new ModelSigner("0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8));
    private static final ModelSigner OTHER_KEY = new ModelSigner("another-key-of-16+bytes".getBytes(StandardCharsets.UTF_8));

    private static ModelSnapshot model(long version, float fill) {
        QNetworkSpec spec = new QNetworkSpec(new EncoderSpec(30, 10, 10, 5, 10), 16, 400);
        Random r = new Random(version);
        float[] w1 = new float[spec.inputs() * 16];
        float[] w2 = new float[400 * 16];
        for (int i = 0; i < w2.length; i++) {
            w2[i] = (float) r.nextGaussian();
        }
        Arrays.fill(w1, fill);
        return new ModelSnapshot(version, version - 1, FP, new QNetworkWeights(spec, w1, new float[16], w2, new float[400]));
    }

    private static List<ModelUpdate> chunks(ModelSnapshot m, Optional<ModelSigner> signer) {
        return ModelChunker.chunks("qnet", m, signer, List.of(), Map.of("updates", 5.0), 4096);
    }

    private static ModelAssembler.Result offerAll(ModelAssembler assembler, List<ModelUpdate> chunks) {
        ModelAssembler.Result last = null;
        for (ModelUpdate c : chunks) {
            last = assembler.offer(c);
        }
        return last;
    }

    @Test
    void chunksOutOfOrderReassembleToTheSameWeights() {
        ModelSnapshot m = model(3, 0.5f);
        List<ModelUpdate> chunks = new ArrayList<>(chunks(m, Optional.of(KEY)));
        assertThat(chunks.size()).isGreaterThan(5);
        assertThat(chunks).allSatisfy(c -> assertThat(c.getData().remaining()).isLessThanOrEqualTo(4096));
        Collections.shuffle(chunks, new Random(1));
        ModelAssembler assembler = new ModelAssembler("qnet", Optional.of(KEY));
        for (int i = 0; i < chunks.size() - 1; i++) {
            assertThat(assembler.offer(chunks.get(i))).isInstanceOf(ModelAssembler.Pending.class);
        }
        ModelAssembler.Result result = assembler.offer(chunks.get(chunks.size() - 1));
        assertThat(result).isInstanceOf(ModelAssembler.Complete.class);
        ModelSnapshot back = ((ModelAssembler.Complete) result).model();
        assertThat(back.version()).isEqualTo(3);
        assertThat(back.weights().w2()).isEqualTo(m.weights().w2());
    }

    @Test
    void aChunkSentAgainAfterItWasHashedIsJudgedOnItsNewBytes() {
        // Chunks are hashed as they arrive; a later copy of an already-hashed chunk must not slip past the hash.
        List<ModelUpdate> good = chunks(model(7, 0.25f), Optional.of(KEY));
        ModelUpdate tampered = ModelUpdate.newBuilder(good.get(0)).setData(flipOneByte(good.get(0).getData())).build();
        ModelAssembler assembler = new ModelAssembler("qnet", Optional.of(KEY));
        assembler.offer(good.get(0));
        assembler.offer(good.get(1));
        assembler.offer(tampered); // replaces chunk 0 after it went into the digest
        assertThat(offerAll(assembler, good.subList(2, good.size())))
                .isInstanceOfSatisfying(ModelAssembler.Refused.class, r -> assertThat(r.reason()).contains("SHA-256 mismatch"));

        // And the other way round: a corrupt first copy put right by a re-sent one assembles.
        ModelAssembler again = new ModelAssembler("qnet", Optional.of(KEY));
        again.offer(tampered);
        again.offer(good.get(1));
        again.offer(good.get(0));
        ModelAssembler.Result result = offerAll(again, good.subList(2, good.size()));
        assertThat(result).isInstanceOf(ModelAssembler.Complete.class);
        assertThat(((ModelAssembler.Complete) result).model().weights().w2()).isEqualTo(model(7, 0.25f).weights().w2());
    }

    private static ByteBuffer flipOneByte(ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        bytes[100] ^= 1;
        return ByteBuffer.wrap(bytes);
    }

    @Test
    void refusesUnsignedWronglySignedAndTamperedUpdates() {
        ModelAssembler assembler = new ModelAssembler("qnet", Optional.of(KEY));
        assertThat(offerAll(assembler, chunks(model(4, 0f), Optional.empty())))
                .isInstanceOfSatisfying(ModelAssembler.Refused.class, r -> assertThat(r.reason()).contains("unsigned"));
        assertThat(offerAll(assembler, chunks(model(5, 0f), Optional.of(OTHER_KEY))))
                .isInstanceOfSatisfying(ModelAssembler.Refused.class, r -> assertThat(r.reason()).contains("signature"));

        List<ModelUpdate> tampered = chunks(model(6, 0f), Optional.of(KEY));
        ByteBuffer data = tampered.get(2).getData();
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        bytes[100] ^= 1;
        tampered.get(2).setData(ByteBuffer.wrap(bytes));
        assertThat(offerAll(assembler, tampered))
                .isInstanceOfSatisfying(ModelAssembler.Refused.class, r -> assertThat(r.reason()).contains("SHA-256 mismatch"));
    }

    @Test
    void refusesChunksThatDoNotDescribeOneWholeBlob() {
        // An index outside [0, count), a count below 1, a size of 0 or past the limit, an unknown format.
        List<ModelUpdate> base = chunks(model(11, 0f), Optional.of(KEY));
        ModelUpdate outOfRange = ModelUpdate.newBuilder(base.get(0)).setChunkIndex(base.size()).build();
        ModelUpdate noChunks = ModelUpdate.newBuilder(base.get(0)).setChunkCount(0).build();
        ModelUpdate negative = ModelUpdate.newBuilder(base.get(0)).setChunkIndex(-1).build();
        ModelUpdate empty = ModelUpdate.newBuilder(base.get(0)).setTotalBytes(0).build();
        ModelUpdate huge = ModelUpdate.newBuilder(base.get(0)).setTotalBytes(Long.MAX_VALUE).build();
        ModelUpdate format = ModelUpdate.newBuilder(base.get(0)).setFormat("pickle").build();
        ModelAssembler assembler = new ModelAssembler("qnet", Optional.of(KEY));
        assertThat(assembler.offer(outOfRange)).isInstanceOfSatisfying(ModelAssembler.Refused.class,
                r -> assertThat(r.reason()).isEqualTo("chunk " + base.size() + " of " + base.size() + " is out of range"));
        assertThat(assembler.offer(noChunks)).isInstanceOfSatisfying(ModelAssembler.Refused.class,
                r -> assertThat(r.reason()).contains("out of range"));
        assertThat(assembler.offer(negative)).isInstanceOfSatisfying(ModelAssembler.Refused.class,
                r -> assertThat(r.reason()).contains("chunk -1 of"));
        assertThat(assembler.offer(empty)).isInstanceOfSatisfying(ModelAssembler.Refused.class,
                r -> assertThat(r.reason()).contains("announced size 0 bytes is out of range"));
        assertThat(assembler.offer(huge)).isInstanceOfSatisfying(ModelAssembler.Refused.class,
                r -> assertThat(r.reason()).contains("is out of range"));
        assertThat(assembler.offer(format)).isInstanceOfSatisfying(ModelAssembler.Refused.class,
                r -> assertThat(r.reason()).contains("unsupported weight format 'pickle'"));

        // Chunks of one version that disagree about the hash: refused, and the version's partial state dropped.
        List<ModelUpdate> disagree = chunks(model(12, 0f), Optional.of(KEY));
        disagree.get(1).setSha256("00".repeat(32));
        ModelAssembler fresh = new ModelAssembler("qnet", Optional.of(KEY));
        assertThat(fresh.offer(disagree.get(0))).isInstanceOf(ModelAssembler.Pending.class);
        assertThat(fresh.offer(disagree.get(1))).isInstanceOfSatisfying(ModelAssembler.Refused.class,
                r -> assertThat(r.reason()).contains("disagree about count, size, hash or signature"));

        // Every chunk present, but their bytes are not the announced total.
        List<ModelUpdate> shortBlob = chunks(model(13, 0f), Optional.of(KEY));
        long total = shortBlob.get(0).getTotalBytes();
        shortBlob.forEach(c -> c.setTotalBytes(total + 1));
        assertThat(offerAll(new ModelAssembler("qnet", Optional.of(KEY)), shortBlob))
                .isInstanceOfSatisfying(ModelAssembler.Refused.class,
                        r -> assertThat(r.reason()).isEqualTo("chunks do not add up to the announced " + (total + 1) + " bytes"));

        // After all that, a good version still assembles.
        assertThat(offerAll(assembler, chunks(model(14, 0f), Optional.of(KEY)))).isInstanceOf(ModelAssembler.Complete.class);
    }

    @Test
    void refusesNonFiniteWeightsEvenWhenProperlySigned() {
        ModelAssembler assembler = new ModelAssembler("qnet", Optional.of(KEY));
        assertThat(offerAll(assembler, chunks(model(7, Float.NaN), Optional.of(KEY))))
                .isInstanceOfSatisfying(ModelAssembler.Refused.class, r -> assertThat(r.reason()).contains("not finite"));
    }

    @Test
    void refusesAVersionThatDiffersFromTheHeader() {
        List<ModelUpdate> chunks = chunks(model(8, 0f), Optional.empty());
        chunks.forEach(c -> c.setVersion(99));
        ModelAssembler assembler = new ModelAssembler("qnet", Optional.empty());
        assertThat(offerAll(assembler, chunks))
                .isInstanceOfSatisfying(ModelAssembler.Refused.class, r -> assertThat(r.reason()).contains("header carries version 8"));
    }

    @Test
    void withoutAKeyUnsignedUpdatesAreAcceptedAndOtherModelsAreIgnored() {
        ModelAssembler assembler = new ModelAssembler("qnet", Optional.empty());
        assertThat(offerAll(assembler, chunks(model(9, 0f), Optional.empty()))).isInstanceOf(ModelAssembler.Complete.class);
        ModelUpdate foreign = chunks(model(10, 0f), Optional.empty()).get(0);
        foreign.setModelName("other");
        assertThat(assembler.offer(foreign)).isInstanceOf(ModelAssembler.Pending.class);
        assertThat(WeightFormat.NAME).isEqualTo(foreign.getFormat());
    }
}
