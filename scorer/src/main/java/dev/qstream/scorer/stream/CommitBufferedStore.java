package dev.qstream.scorer.stream;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

import java.util.HashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * A key-value store whose writes stay in a map, decoded, until the next commit, in front of a changelogged RocksDB
 * store that only sees them then. The scorer keeps four of its stores this way: the episodes it is assembling (a
 * header per episode and one entry per step under {@code <episodeId>/<step>}), the scored episodes it remembers for
 * late feedback, and the due times of its timers.
 *
 * <p>Kafka Streams' own record cache would do the same buffering, but not cheaply for these access patterns: it
 * encodes every value on {@code put} and decodes it again on every read; an entry put and deleted between two
 * commits still goes to RocksDB and the changelog as a tombstone; and it keeps what it flushed, so a store written
 * once per episode and rarely read again (the remembered episodes, the timers) fills the thread's cache with entries
 * that only make every other cache operation slower (a sorted map of tens of thousands of byte keys, searched on
 * every put and again for every entry at every flush). Most episodes arrive and complete within one commit
 * interval, so most steps would cost an encode, a decode, a RocksDB delete and a changelog record for nothing.
 * Here the values of the current commit interval stay decoded in a map; {@link #flushCache()} — called by Kafka
 * Streams before every commit, exactly where it flushes its record caches — writes what is still there to the inner
 * store (and so its changelog) and empties the map, and an entry removed before it was ever written there leaves no
 * trace at all. The state committed with each transaction is the same as with the record cache, so exactly-once is
 * unchanged; a task closed uncleanly drops the map ({@link #clearCache()}) and restores from the changelog like any
 * other store.
 *
 * <p>Two kinds of entries ({@link Lifetime}): short-lived ones, usually removed in the commit interval that put them
 * (an episode's steps), for which a {@code put} asks RocksDB whether the key is there so that removing it again
 * needs no tombstone; and long-lived ones, removed long after a commit wrote them (remembered episodes, timers), for
 * which that read would never pay off: a {@code put} assumes RocksDB may hold the key, and a removal in the same
 * interval writes a harmless tombstone.
 *
 * <p>Values handed to {@link #put} are kept as they are (not copied): callers must not change one afterwards
 * without putting it again. Used on the stream thread that owns the task only: not thread-safe, no interactive
 * queries.
 */
final class CommitBufferedStore<V> extends WrappedStateStore<KeyValueStore<String, V>, String, V> {

    private static final StringSerializer KEYS = new StringSerializer();

    /** Entries put or removed since the last flush, by key; sorted, so that an episode's steps are one range. */
    private final NavigableMap<String, Pending<V>> pending = new TreeMap<>();
    /** The last key {@link #get} found in neither place: {@link #put} then need not ask RocksDB again. */
    private String knownAbsent;
    /**
     * Key groups (a key up to and including its first '/') declared new since the buffer last wrote to the inner
     * store: none of their keys can be there, so looking one up skips RocksDB.
     */
    private final Set<String> newGroups = new HashSet<>();

    /** A value put since the last flush (null: removed), and whether the inner store may still hold the key. */
    private record Pending<V>(V value, boolean inInner) {
    }

    /** Past this many pending entries they are written through before the commit (the record cache evicts too). */
    static final int DEFAULT_MAX_PENDING = 100_000;

    /** How long the store's entries usually live, which decides whether a {@code put} reads RocksDB first. */
    enum Lifetime {
        /** Usually removed in the commit interval that put them: a put checks RocksDB, to spare their tombstones. */
        SHORT,
        /** Removed long after a commit wrote them: a put never reads RocksDB. */
        LONG
    }

    private final int maxPending;
    private final Lifetime lifetime;

    private CommitBufferedStore(KeyValueStore<String, V> inner, int maxPending, Lifetime lifetime) {
        super(inner);
        this.maxPending = maxPending;
        this.lifetime = lifetime;
    }

    /** A changelogged RocksDB store named {@code name} behind the buffer; no record cache (this is the cache). */
    static <V> StoreBuilder<CommitBufferedStore<V>> builder(String name, Serde<V> values, Lifetime lifetime) {
        return builder(name, values, lifetime, DEFAULT_MAX_PENDING);
    }

    /** As {@link #builder(String, Serde, Lifetime)}, holding at most {@code maxPending} entries between writes to RocksDB. */
    static <V> StoreBuilder<CommitBufferedStore<V>> builder(String name, Serde<V> values, Lifetime lifetime, int maxPending) {
        return new Builder<>(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
                org.apache.kafka.common.serialization.Serdes.String(), values).withCachingDisabled(), maxPending, lifetime);
    }

    /**
     * Declares that no key starting with {@code group} (which ends with its only '/') is in the inner store: true of
     * an episode's steps when the episode was first seen since the last commit. Until the buffer next writes to the
     * inner store (at the commit, or early when it fills up), which forgets every declaration, the group's keys are
     * looked up in the buffer only: an episode that arrives and completes between two commits never reads RocksDB.
     */
    void declareNewGroup(String group) {
        if (group.indexOf('/') != group.length() - 1) {
            throw new IllegalArgumentException("a key group ends with its only '/': " + group);
        }
        newGroups.add(group);
    }

    /** False when the key's group was declared new: then RocksDB cannot hold it. */
    private boolean innerMayHold(String key) {
        if (newGroups.isEmpty()) {
            return true;
        }
        int slash = key.indexOf('/');
        return slash < 0 || !newGroups.contains(key.substring(0, slash + 1));
    }

    /** The value under {@code key}, or null. */
    V get(String key) {
        Pending<V> p = pending.get(key);
        if (p != null) {
            return p.value;
        }
        if (!innerMayHold(key)) {
            return null;
        }
        V stored = wrapped().get(key);
        if (stored == null) {
            knownAbsent = key;
        }
        return stored;
    }

    /** Whether a value is stored under {@code key}. */
    boolean contains(String key) {
        return get(key) != null;
    }

    void put(String key, V value) {
        Pending<V> before = pending.get(key);
        boolean inInner = before != null ? before.inInner
                : lifetime == Lifetime.LONG || innerMayHold(key) && !key.equals(knownAbsent) && wrapped().get(key) != null;
        knownAbsent = null;
        pending.put(key, new Pending<>(value, inInner));
        if (pending.size() > maxPending) {
            // A long commit interval (or a burst) must not hold unbounded state in memory. Writing early is safe:
            // the changelog records go into the open transaction, exactly as when the record cache evicts.
            writePending();
        }
    }

    void remove(String key) {
        Pending<V> before = pending.get(key);
        // Not pending: it was written at an earlier commit (or never existed); a tombstone is right either way, and
        // cheaper than reading RocksDB to find out.
        if (before == null || before.inInner) {
            pending.put(key, new Pending<>(null, true));
        } else {
            pending.remove(key); // never written to RocksDB: nothing to delete there or in the changelog
        }
        knownAbsent = null;
    }

    /** Every value stored under a key starting with {@code prefix} (empty: all of them), in key order. */
    NavigableMap<String, V> range(String prefix) {
        NavigableMap<String, Pending<V>> mine = prefix.isEmpty() ? pending
                : pending.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
        TreeMap<String, V> merged = new TreeMap<>();
        if (!newGroups.contains(prefix)) {
            try (KeyValueIterator<String, V> it = prefix.isEmpty() ? wrapped().all() : wrapped().prefixScan(prefix, KEYS)) {
                while (it.hasNext()) {
                    var e = it.next();
                    merged.put(e.key, e.value);
                }
            }
        }
        overlay(merged, mine);
        return merged;
    }

    /**
     * The first {@code limit} entries with keys from {@code from} (inclusive) to {@code to} (exclusive), in key order.
     * Reads at most {@code limit} more keys of RocksDB than there are pending entries in the range: each pending
     * entry can hide at most one of them.
     */
    NavigableMap<String, V> range(String from, String to, int limit) {
        NavigableMap<String, Pending<V>> mine = pending.subMap(from, true, to, false);
        long wanted = (long) limit + mine.size();
        TreeMap<String, V> merged = new TreeMap<>();
        try (KeyValueIterator<String, V> it = wrapped().range(from, to)) {
            while (it.hasNext() && merged.size() < wanted) {
                var e = it.next();
                if (!to.equals(e.key)) { // the inner store's range includes its upper bound
                    merged.put(e.key, e.value);
                }
            }
        }
        overlay(merged, mine);
        while (merged.size() > limit) {
            merged.pollLastEntry();
        }
        return merged;
    }

    /** What is pending replaces what RocksDB returned: newer values, and removals. */
    private static <V> void overlay(TreeMap<String, V> merged, NavigableMap<String, Pending<V>> pending) {
        for (var e : pending.entrySet()) {
            if (e.getValue().value == null) {
                merged.remove(e.getKey());
            } else {
                merged.put(e.getKey(), e.getValue().value);
            }
        }
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
        newGroups.clear(); // what is written now is in RocksDB from here on
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
        newGroups.clear();
        knownAbsent = null;
        super.clearCache();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        pending.clear();
        newGroups.clear();
        knownAbsent = null;
        super.init(context, root);
    }

    @Override
    public void close() {
        pending.clear();
        newGroups.clear();
        super.close();
    }

    /** Builds the inner store with the given builder's settings and puts the buffer in front of it. */
    private record Builder<V>(StoreBuilder<KeyValueStore<String, V>> inner, int maxPending, Lifetime lifetime)
            implements StoreBuilder<CommitBufferedStore<V>> {

        @Override
        public StoreBuilder<CommitBufferedStore<V>> withCachingEnabled() {
            throw new UnsupportedOperationException("a commit-buffered store is its own cache");
        }

        @Override
        public StoreBuilder<CommitBufferedStore<V>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<CommitBufferedStore<V>> withLoggingEnabled(Map<String, String> config) {
            return new Builder<>(inner.withLoggingEnabled(config), maxPending, lifetime);
        }

        @Override
        public StoreBuilder<CommitBufferedStore<V>> withLoggingDisabled() {
            return new Builder<>(inner.withLoggingDisabled(), maxPending, lifetime);
        }

        @Override
        public CommitBufferedStore<V> build() {
            return new CommitBufferedStore<>(inner.build(), maxPending, lifetime);
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
