package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.Transition;
import dev.qstream.schemas.serde.Serdes;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The steps of the episodes being assembled, one entry per step under {@code <episodeId>/<step>}, in front of a
 * changelogged RocksDB store that only sees them at commit time.
 *
 * <p>Kafka Streams' own record cache would do the same buffering, but not cheaply for this access pattern: it
 * encodes every step on {@code put} and decodes it again on every read, and an entry put and deleted between two
 * commits still goes to RocksDB and the changelog as a tombstone. Most episodes arrive and complete within one
 * commit interval, so most steps would cost an encode, a decode, a RocksDB delete and a changelog record for nothing.
 * Here the steps of the current commit interval stay decoded in a map; {@link #flushCache()} — called by Kafka
 * Streams before every commit, exactly where it flushes its record caches — writes what is still there to the inner
 * store (and so its changelog), and a step removed before it was ever written there leaves no trace at all. The
 * state committed with each transaction is the same as with the record cache, so exactly-once is unchanged; a task
 * closed uncleanly drops the map ({@link #clearCache()}) and restores from the changelog like any other store.
 *
 * <p>Only the scorer's assembler uses it, on its stream thread: not thread-safe, no interactive queries.
 */
final class EpisodeStepStore extends WrappedStateStore<KeyValueStore<String, Transition>, String, Transition> {

    private static final StringSerializer KEYS = new StringSerializer();
    /** A removed step whose earlier value may be in the inner store: a tombstone to write at commit. */
    private static final Pending TOMBSTONE = new Pending(null, true);

    /** Steps put or removed since the last flush, by key; sorted, so that an episode's steps are one range. */
    private final NavigableMap<String, Pending> pending = new TreeMap<>();
    /** The last key {@link #contains} found in neither place: {@link #put} then need not ask RocksDB again. */
    private String knownAbsent;

    /** A value put since the last flush (null: removed), and whether the inner store may still hold the key. */
    private record Pending(Transition value, boolean inInner) {
    }

    private EpisodeStepStore(KeyValueStore<String, Transition> inner) {
        super(inner);
    }

    /** A changelogged RocksDB store named {@code name} behind the buffer; no record cache (this is the cache). */
    static StoreBuilder<EpisodeStepStore> builder(String name) {
        return new Builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
                org.apache.kafka.common.serialization.Serdes.String(), Serdes.TRANSITION).withCachingDisabled());
    }

    /** Whether a step is stored under {@code key}. */
    boolean contains(String key) {
        Pending p = pending.get(key);
        if (p != null) {
            return p.value != null;
        }
        if (wrapped().get(key) != null) {
            return true;
        }
        knownAbsent = key;
        return false;
    }

    void put(String key, Transition step) {
        Pending before = pending.get(key);
        boolean inInner = before != null ? before.inInner : !key.equals(knownAbsent) && wrapped().get(key) != null;
        knownAbsent = null;
        pending.put(key, new Pending(step, inInner));
    }

    void remove(String key) {
        Pending before = pending.get(key);
        // Not pending: it was written at an earlier commit (or never existed); a tombstone is right either way, and
        // cheaper than reading RocksDB to find out.
        if (before == null || before.inInner) {
            pending.put(key, TOMBSTONE);
        } else {
            pending.remove(key); // never written to RocksDB: nothing to delete there or in the changelog
        }
        knownAbsent = null;
    }

    /** Every step stored under {@code prefix} (an episode id and a slash), in key order. */
    List<Transition> range(String prefix) {
        NavigableMap<String, Pending> mine = pending.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
        TreeMap<String, Transition> merged = null;
        try (KeyValueIterator<String, Transition> it = wrapped().prefixScan(prefix, KEYS)) {
            while (it.hasNext()) {
                var e = it.next();
                if (merged == null) {
                    merged = new TreeMap<>();
                }
                merged.put(e.key, e.value);
            }
        }
        List<Transition> out = new ArrayList<>(mine.size());
        if (merged == null) { // the usual case: the whole episode arrived since the last commit
            for (Pending p : mine.values()) {
                if (p.value != null) {
                    out.add(p.value);
                }
            }
            return out;
        }
        for (var e : mine.entrySet()) {
            if (e.getValue().value == null) {
                merged.remove(e.getKey());
            } else {
                merged.put(e.getKey(), e.getValue().value);
            }
        }
        out.addAll(merged.values());
        return out;
    }

    /** Before every commit: what is still pending goes to RocksDB and the changelog, in key order. */
    @Override
    public void flushCache() {
        writePending();
        super.flushCache();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writePending(); // normally empty here: flushCache() came first
        super.commit(changelogOffsets);
    }

    private void writePending() {
        if (pending.isEmpty()) {
            return;
        }
        for (var e : pending.entrySet()) {
            if (e.getValue().value != null || e.getValue().inInner) {
                wrapped().put(e.getKey(), e.getValue().value);
            }
        }
        pending.clear();
        knownAbsent = null;
    }

    /** The task's state is being thrown away (closed dirty, to be restored from the changelog): so is the buffer. */
    @Override
    public void clearCache() {
        pending.clear();
        knownAbsent = null;
        super.clearCache();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        pending.clear();
        knownAbsent = null;
        super.init(context, root);
    }

    @Override
    public void close() {
        pending.clear();
        super.close();
    }

    /** Builds the inner store with the given builder's settings and puts the buffer in front of it. */
    private record Builder(StoreBuilder<KeyValueStore<String, Transition>> inner) implements StoreBuilder<EpisodeStepStore> {

        @Override
        public StoreBuilder<EpisodeStepStore> withCachingEnabled() {
            throw new UnsupportedOperationException("the step store is its own cache");
        }

        @Override
        public StoreBuilder<EpisodeStepStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<EpisodeStepStore> withLoggingEnabled(Map<String, String> config) {
            return new Builder(inner.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<EpisodeStepStore> withLoggingDisabled() {
            return new Builder(inner.withLoggingDisabled());
        }

        @Override
        public EpisodeStepStore build() {
            return new EpisodeStepStore(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
