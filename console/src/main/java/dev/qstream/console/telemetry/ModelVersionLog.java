package dev.qstream.console.telemetry;

import dev.qstream.schemas.avro.ModelUpdate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The versions published on the model topic: when each was published and after how many updates (the learner puts
 * its training metrics on every chunk). Only the first chunk of a version is looked at; the topic is read
 * read_committed, so a version seen is a whole version.
 */
public final class ModelVersionLog {

    /** One published version. {@code updates} is NaN when the learner did not say. */
    public record PublishedVersion(String modelName, long version, long createdAtMillis, double updates) {
    }

    private final int capacity;
    private final TreeMap<Long, PublishedVersion> versions = new TreeMap<>();

    public ModelVersionLog(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void accept(ModelUpdate update) {
        if (update.getChunkIndex() != 0) {
            return;
        }
        Double updates = update.getMetrics().get("updates");
        versions.put(update.getVersion(), new PublishedVersion(update.getModelName(), update.getVersion(),
                update.getCreatedAt().toEpochMilli(), updates == null ? Double.NaN : updates));
        while (versions.size() > capacity) {
            versions.pollFirstEntry();
        }
    }

    public synchronized Optional<PublishedVersion> latest() {
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
    }

    public synchronized List<PublishedVersion> versions() {
        return new ArrayList<>(versions.values());
    }
}
