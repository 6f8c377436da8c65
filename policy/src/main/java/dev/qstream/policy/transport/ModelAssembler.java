package dev.qstream.policy.transport;

import dev.qstream.policy.network.InvalidWeightsException;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.WeightFormat;
import dev.qstream.schemas.avro.ModelUpdate;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reassembles chunked model updates and verifies them before anyone may serve them: chunks agree with each other,
 * the blob has the announced size and SHA-256, the signature matches (when a key is configured, unsigned updates
 * are refused), the format parses, every weight is finite, and the header's version is the announced one.
 * Holds at most a few incomplete versions, so a stream of partial uploads cannot exhaust memory. Chunks are hashed
 * as they come and the weights read out of them in place: after the last chunk only its own hash, the signature and
 * one copy into the weight arrays remain, whatever the model's size.
 */
public final class ModelAssembler {

    /** Outcome of offering one chunk. */
    public sealed interface Result permits Pending, Complete, Refused {
    }

    /** More chunks are needed. */
    public record Pending() implements Result {
    }

    /** A whole, verified model. */
    public record Complete(ModelSnapshot model, ModelUpdate lastChunk) implements Result {
    }

    /** The update must not be served; the reason says why. */
    public record Refused(String modelName, long version, String reason) implements Result {
    }

    private static final int MAX_PENDING_VERSIONS = 3;
    private static final long MAX_BLOB_BYTES = 256L * 1024 * 1024;

    private final String modelName;
    private final Optional<ModelSigner> signer;
    private final Map<Long, Partial> pending = new LinkedHashMap<>();

    public ModelAssembler(String modelName, Optional<ModelSigner> signer) {
        this.modelName = modelName;
        this.signer = signer;
    }

    public Result offer(ModelUpdate chunk) {
        if (!modelName.equals(chunk.getModelName())) {
            return new Pending(); // another model sharing the topic: not ours to judge
        }
        long version = chunk.getVersion();
        if (!WeightFormat.NAME.equals(chunk.getFormat())) {
            return refuse(version, "unsupported weight format '" + chunk.getFormat() + "'");
        }
        if (chunk.getTotalBytes() <= 0 || chunk.getTotalBytes() > MAX_BLOB_BYTES) {
            return refuse(version, "announced size " + chunk.getTotalBytes() + " bytes is out of range");
        }
        if (chunk.getChunkCount() < 1 || chunk.getChunkIndex() < 0 || chunk.getChunkIndex() >= chunk.getChunkCount()) {
            return refuse(version, "chunk " + chunk.getChunkIndex() + " of " + chunk.getChunkCount() + " is out of range");
        }
        Partial partial = pending.get(version);
        if (partial == null) {
            partial = new Partial(chunk);
            pending.put(version, partial);
            evictOldest();
        } else if (!partial.consistentWith(chunk)) {
            pending.remove(version);
            return refuse(version, "chunks of version " + version + " disagree about count, size, hash or signature");
        }
        partial.add(chunk);
        if (!partial.complete()) {
            return new Pending();
        }
        pending.remove(version);
        return verify(partial, chunk);
    }

    private Result verify(Partial partial, ModelUpdate last) {
        long version = last.getVersion();
        if (partial.receivedBytes() != last.getTotalBytes()) {
            return refuse(version, "chunks do not add up to the announced " + last.getTotalBytes() + " bytes");
        }
        String sha = partial.sha256Hex();
        if (!sha.equals(last.getSha256())) {
            return refuse(version, "SHA-256 mismatch: announced " + last.getSha256() + ", computed " + sha);
        }
        if (signer.isPresent()) {
            if (last.getSignature() == null) {
                return refuse(version, "update is unsigned and this deployment requires signed models");
            }
            if (!signer.get().verify(modelName, version, sha, last.getSignature())) {
                return refuse(version, "signature does not verify with this deployment's key");
            }
        }
        ModelSnapshot model;
        try {
            model = WeightFormat.decode(partial.parts()); // the very bytes that were hashed
        } catch (InvalidWeightsException e) {
            return refuse(version, e.getMessage());
        }
        if (model.version() != version) {
            return refuse(version, "header carries version " + model.version() + " but the update announces " + version);
        }
        return new Complete(model, last);
    }

    private Refused refuse(long version, String reason) {
        return new Refused(modelName, version, reason);
    }

    private void evictOldest() {
        Iterator<Long> it = pending.keySet().iterator();
        while (pending.size() > MAX_PENDING_VERSIONS && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /**
     * The chunks of one version received so far. Each chunk's bytes are kept as decoded (no copy) and hashed as soon
     * as every chunk before it is in, so SHA-256 runs while the rest arrive rather than over the whole blob at the
     * end; the weights are later read straight out of the chunks.
     */
    private static final class Partial {
        final int count;
        final long totalBytes;
        final String sha;
        final String signature;
        final ByteBuffer[] chunks;
        final MessageDigest digest = WeightFormat.sha256();
        int received;
        int hashedThrough; // chunks [0, hashedThrough) are in the digest
        boolean rehash; // a chunk already in the digest was replaced: hash everything again at the end

        Partial(ModelUpdate first) {
            this.count = first.getChunkCount();
            this.totalBytes = first.getTotalBytes();
            this.sha = first.getSha256();
            this.signature = first.getSignature();
            this.chunks = new ByteBuffer[count];
        }

        boolean consistentWith(ModelUpdate c) {
            return c.getChunkCount() == count && c.getTotalBytes() == totalBytes && sha.equals(c.getSha256())
                    && Objects.equals(signature, c.getSignature());
        }

        void add(ModelUpdate c) {
            int index = c.getChunkIndex();
            if (chunks[index] == null) {
                received++;
            } else if (index < hashedThrough) {
                rehash = true;
            }
            // The decoded record owns its buffer and is dropped after this call: keep the buffer, not a copy.
            chunks[index] = c.getData().slice(); // a re-sent chunk replaces the earlier copy
            while (hashedThrough < count && chunks[hashedThrough] != null) {
                digest.update(chunks[hashedThrough].duplicate());
                hashedThrough++;
            }
        }

        boolean complete() {
            return received == count;
        }

        long receivedBytes() {
            long sum = 0;
            for (ByteBuffer c : chunks) {
                sum += c.remaining();
            }
            return sum;
        }

        String sha256Hex() {
            if (rehash) {
                digest.reset();
                for (ByteBuffer c : chunks) {
                    digest.update(c.duplicate());
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        }

        List<ByteBuffer> parts() {
            return Arrays.asList(chunks);
        }
    }
}
