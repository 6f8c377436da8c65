package dev.qstream.policy.transport;

import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.WeightFormat;
import dev.qstream.schemas.avro.ModelUpdate;
import dev.qstream.schemas.avro.PartitionOffset;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cuts a model into {@link ModelUpdate} chunks of at most {@value #MAX_CHUNK_BYTES} bytes (no compression: weights
 * do not compress), each carrying the version, the SHA-256 of the whole blob and its signature.
 */
public final class ModelChunker {

    public static final int MAX_CHUNK_BYTES = 1024 * 1024;

    private ModelChunker() {
    }

    /** Key of a chunk on the compacted model topic: compaction keeps the newest copy of every chunk index. */
    public static String key(String modelName, int chunkIndex) {
        return modelName + "/" + chunkIndex;
    }

    /**
     * The key of a chunk of the champion's copy. Compaction keeps the newest record per key, so the newest version
     * (under {@link #key}) and the champion (under these keys) both stay on the topic, however old the champion is.
     */
    public static String championKey(String modelName, int chunkIndex) {
        return modelName + "/champion/" + chunkIndex;
    }

    public static List<ModelUpdate> chunks(String modelName, ModelSnapshot model, Optional<ModelSigner> signer,
                                           List<PartitionOffset> lineage, Map<String, Double> metrics, int chunkBytes) {
        if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk size must be in [1, " + MAX_CHUNK_BYTES + "]");
        }
        byte[] blob = WeightFormat.encode(model);
        String sha = WeightFormat.sha256Hex(blob);
        String signature = signer.map(s -> s.sign(modelName, model.version(), sha)).orElse(null);
        int count = Math.max(1, (blob.length + chunkBytes - 1) / chunkBytes);
        Instant now = Instant.now();
        List<ModelUpdate> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * chunkBytes;
            int to = Math.min(blob.length, from + chunkBytes);
            out.add(ModelUpdate.newBuilder()
                    .setModelName(modelName)
                    .setVersion(model.version())
                    .setParentVersion(model.parentVersion())
                    .setFormat(WeightFormat.NAME)
                    .setChunkIndex(i)
                    .setChunkCount(count)
                    .setTotalBytes(blob.length)
                    .setData(ByteBuffer.wrap(blob, from, to - from).slice())
                    .setSha256(sha)
                    .setSignature(signature)
                    .setLineage(new ArrayList<>(lineage))
                    .setMetrics(new HashMap<>(metrics))
                    .setCreatedAt(now)
                    .build());
        }
        return out;
    }
}
