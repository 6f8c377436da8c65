package dev.qstream.scorer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;

/**
 * What a commit-buffered store writes to its changelog (the state a restore rebuilds): what is still there at a
 * commit, and tombstones only for what an earlier commit wrote. The driver commits after every input record, so each
 * record below is one commit interval; its value is a list of operations ({@code +key=value}, {@code -key}, and
 * {@code !group/} to declare a key group new).
 */
class CommitBufferedStoreTest {

    private static final String STORE = "buffered";
    private Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> ops;
    private TestOutputTopic<String, String> changelog;
    private TestOutputTopic<String, String> reads;

    /** Applies the operations of each record to the store, then forwards what the store holds under "e/". */
    private static final class Operations implements Processor<String, String, String, String> {
        private ProcessorContext<String, String> context;
        private CommitBufferedStore<String> store;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, String> record) {
            for (String op : record.value().split(" ")) {
                if (op.startsWith("+")) {
                    String[] kv = op.substring(1).split("=");
                    store.put(kv[0], kv[1]);
                } else if (op.startsWith("!")) {
                    store.declareNewGroup(op.substring(1));
                } else {
                    store.remove(op.substring(1));
                }
            }
            context.forward(record.withValue(String.join(",", store.range("e/").values())
                    + "|" + store.contains("e/1") + "|" + store.range("").keySet()
                    + "|" + store.range("e/2", "e/5", 2).keySet()));
        }
    }

    @BeforeEach
    void start() throws IOException {
        start(CommitBufferedStore.Lifetime.SHORT);
    }

    private void start(CommitBufferedStore.Lifetime lifetime) throws IOException {
        if (driver != null) {
            stop();
        }
        stateDir = Files.createTempDirectory("buffered-store-");
        Topology t = new Topology();
        t.addSource("in", new StringDeserializer(), new StringDeserializer(), "ops");
        t.addProcessor("apply", Operations::new, "in");
        t.addStateStore(CommitBufferedStore.builder(STORE, Serdes.String(), lifetime, 4), "apply"); // at most 4 pending
        t.addSink("out", "reads", new StringSerializer(), new StringSerializer(), "apply");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "buffered");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(t, p);
        ops = driver.createInputTopic("ops", new StringSerializer(), new StringSerializer());
        changelog = driver.createOutputTopic("buffered-" + STORE + "-changelog", new StringDeserializer(), new StringDeserializer());
        reads = driver.createOutputTopic("reads", new StringDeserializer(), new StringDeserializer());
    }

    @AfterEach
    void stop() throws IOException {
        driver.close();
        driver = null;
        try (var paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void entriesPutAndRemovedBetweenTwoCommitsNeverReachTheChangelog() {
        ops.pipeInput("k", "+e/1=a +e/2=b +e/3=c -e/1 -e/2 -e/3 +f/1=x");
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("f/1", "x"));
        assertThat(reads.readValue()).isEqualTo("|false|[f/1]|[]");
    }

    @Test
    void pastItsBoundTheBufferWritesThroughBeforeTheCommit() {
        // The fifth entry makes five pending: all five go to RocksDB at once, so removing two of them afterwards
        // needs tombstones; the sixth stays pending until the commit.
        ops.pipeInput("k", "+e/1=a +e/2=b +e/3=c +e/4=d +e/5=e -e/1 -e/2 +e/6=f");
        assertThat(reads.readValue()).isEqualTo("c,d,e,f|false|[e/3, e/4, e/5, e/6]|[e/3, e/4]");
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("e/1", "a"), KeyValue.pair("e/2", "b"),
                KeyValue.pair("e/3", "c"), KeyValue.pair("e/4", "d"), KeyValue.pair("e/5", "e"),
                KeyValue.pair("e/1", null), KeyValue.pair("e/2", null), KeyValue.pair("e/6", "f"));
    }

    @Test
    void whatACommitWroteIsReadBackMergedWithNewerEntriesAndRemovedWithATombstone() {
        ops.pipeInput("k", "+e/1=a +e/2=b");
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("e/1", "a"), KeyValue.pair("e/2", "b"));
        reads.readValue();

        // e/1 and e/2 now come from RocksDB, e/3 from the buffer; e/2 is removed again before the commit.
        ops.pipeInput("k", "+e/3=c -e/2 +e/4=d -e/4");
        assertThat(reads.readValue()).isEqualTo("a,c|true|[e/1, e/3]|[e/3]");
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("e/2", null), KeyValue.pair("e/3", "c"));

        ops.pipeInput("k", "-e/1 -e/3 +e/1=z");
        assertThat(reads.readValue()).isEqualTo("z|true|[e/1]|[]");
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("e/1", "z"), KeyValue.pair("e/3", null));
    }

    @Test
    void aRangeMergesBothPlacesAndStopsAtItsLimitWithoutItsUpperBound() {
        // e/2..e/4 reach RocksDB at the first commit; then e/2 is removed and e/3 replaced in the buffer, and e/25
        // added there: the range from e/2 up to (not including) e/5 is e/25, e/3, e/4, and its first two are asked.
        ops.pipeInput("k", "+e/2=b +e/3=c +e/4=d +e/5=e");
        assertThat(reads.readValue()).endsWith("|[e/2, e/3]");
        ops.pipeInput("k", "-e/2 +e/3=C +e/25=x");
        assertThat(reads.readValue()).isEqualTo("x,C,d,e|false|[e/25, e/3, e/4, e/5]|[e/25, e/3]");
        ops.pipeInput("k", "-e/25 -e/3");
        assertThat(reads.readValue()).isEqualTo("d,e|false|[e/4, e/5]|[e/4]");
    }

    @Test
    void longLivedEntriesNeverReadRocksDbOnPutSoARemovalBeforeTheCommitLeavesATombstone() throws IOException {
        start(CommitBufferedStore.Lifetime.LONG);
        // Short-lived entries would leave no trace here (see the first test); long-lived ones are assumed to be in
        // RocksDB already, so the removal is written as a tombstone: harmless, and no read on every put.
        ops.pipeInput("k", "+e/1=a -e/1 +f/1=x");
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("e/1", null), KeyValue.pair("f/1", "x"));
        assertThat(reads.readValue()).isEqualTo("|false|[f/1]|[]");
        // What a commit wrote reads back and is replaced or removed like any other entry.
        ops.pipeInput("k", "+f/1=y +e/2=b");
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("e/2", "b"), KeyValue.pair("f/1", "y"));
        assertThat(reads.readValue()).isEqualTo("b|false|[e/2, f/1]|[e/2]");
    }

    @Test
    void aGroupDeclaredNewIsReadFromTheBufferOnlyUntilTheNextWriteToRocksDb() {
        ops.pipeInput("k", "+e/1=a");
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("e/1", "a"));
        reads.readValue();
        // Declaring "e/" new says RocksDB holds none of its keys; the caller only does so when that is true (an
        // episode first seen since the commit). Declared here against the truth, it shows that RocksDB is not read:
        // e/1 is neither seen nor found.
        ops.pipeInput("k", "!e/ +e/2=b");
        assertThat(reads.readValue()).isEqualTo("b|false|[e/1, e/2]|[e/2]");
        // The commit wrote e/2 and forgot the declaration: RocksDB is read again.
        ops.pipeInput("k", "+e/3=c");
        assertThat(reads.readValue()).isEqualTo("a,b,c|true|[e/1, e/2, e/3]|[e/2, e/3]");
    }

    @Test
    void aBufferFullEnoughToWriteThroughForgetsWhichGroupsWereNew() {
        // f/1..f/5 make five pending: all go to RocksDB before the commit, so f/1 must be found there afterwards,
        // and its removal needs a tombstone.
        ops.pipeInput("k", "!f/ +f/1=a +f/2=b +f/3=c +f/4=d +f/5=e +e/1=x -f/1 +f/1=y");
        assertThat(reads.readValue()).isEqualTo("x|true|[e/1, f/1, f/2, f/3, f/4, f/5]|[]");
        assertThat(changelog.readKeyValuesToList()).containsExactly(KeyValue.pair("f/1", "a"), KeyValue.pair("f/2", "b"),
                KeyValue.pair("f/3", "c"), KeyValue.pair("f/4", "d"), KeyValue.pair("f/5", "e"),
                KeyValue.pair("e/1", "x"), KeyValue.pair("f/1", "y"));
    }

    @Test
    void aStepOfANewGroupPutAndRemovedBeforeTheCommitLeavesNoTrace() {
        ops.pipeInput("k", "!g/ +g/1=a +g/2=b -g/1 -g/2");
        assertThat(changelog.readKeyValuesToList()).isEmpty();
        assertThat(reads.readValue()).isEqualTo("|false|[]|[]");
    }
}
