package dev.qstream.learner.checkpoint;

import dev.qstream.learner.deploy.ArmStats;
import dev.qstream.learner.deploy.TrialTally;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.ReplayConfig;
import dev.qstream.learner.replay.StaleTransitions;
import dev.qstream.learner.replay.StalenessBound;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.policy.network.QNetworkFactory;
import dev.qstream.policy.network.QNetworkSpec;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.state.EncoderSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointStoreTest {

    private static final String FP = "ef".repeat(32);
    private static final QNetworkSpec SPEC = new QNetworkSpec(new EncoderSpec(6, 3, 3, 2, 2), 8, 7);

    static Checkpoint checkpoint(long updates) {
        short[] sharedPrompt = {4, 5, 6};
        StoredTransition[] items = {
                new StoredTransition(1, 2, 0, sharedPrompt, new short[0], 3, 0.5f, 0.9f, new short[]{3}, new short[]{3, 4}, new short[]{2, 3}, -1, 0, 10),
                new StoredTransition(1, 2, 1, sharedPrompt, new short[]{3}, 2, -1.25f, 0f, new short[]{2}, null, null, 1, 0, 11),
                new StoredTransition(3, 4, 0, new short[]{9}, new short[0], 6, Float.MIN_VALUE, 0.81f, new short[]{6, 5}, new short[]{6}, null, -1, 2, 7)};
        return checkpoint(updates, items);
    }

    /** {@link #checkpoint(long)} with replay transitions of the given versions, the last one a demonstration. */
    static Checkpoint checkpointWithVersions(long updates, int... versions) {
        StoredTransition[] items = checkpoint(updates).replay().transitions();
        for (int i = 0; i < items.length; i++) {
            StoredTransition t = items[i].withPolicyVersion(versions[i]);
            items[i] = i < items.length - 1 ? t : new StoredTransition(t.episodeHi(), t.episodeLo(), t.step(), t.prompt(),
                    t.prefix(), t.action(), t.reward(), t.discount(), t.bootstrapActions(), t.mask(), t.nextMask(),
                    t.lastStep(), t.sourcePartition(), t.sourceOffset(), true, t.policyVersion());
        }
        return checkpoint(updates, items);
    }

    private static Checkpoint checkpoint(long updates, StoredTransition[] items) {
        QNetworkWeights a = QNetworkFactory.initialWeights(SPEC, updates);
        QNetworkWeights b = QNetworkFactory.initialWeights(SPEC, updates + 1);
        float[] v = new float[SPEC.hidden() + 1];
        v[3] = 0.75f;
        DqnUpdate.State state = new DqnUpdate.State(a, b, b, a, v, v.clone(), new float[v.length], new float[v.length], updates);
        return new Checkpoint(5, 1234, FP, state, new ReplayBuffer.Snapshot(items, new float[]{1f, 2.5f, 0.1f}, 42, 2.5),
                Map.of("qstream.scored/0", 12L, "qstream.scored/2", 8L, "qstream.rewards.late/1", 3L), 1_700_000_000_000L);
    }

    @Test
    void roundTripIsBitExact(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, 3);
        Checkpoint written = checkpointWithVersions(100, 4, 5, 0);
        store.write(written);
        Checkpoint read = store.loadNewest().orElseThrow();
        assertThat(read.modelVersion()).isEqualTo(5);
        assertThat(read.updates()).isEqualTo(100);
        assertThat(read.sampled()).isEqualTo(1234);
        assertThat(read.positions()).isEqualTo(written.positions());
        assertThat(read.learner().online().w1()).isEqualTo(written.learner().online().w1());
        assertThat(read.learner().target().w2()).isEqualTo(written.learner().target().w2());
        assertThat(read.learner().adamM().b2()).isEqualTo(written.learner().adamM().b2());
        assertThat(read.learner().adamV().b1()).isEqualTo(written.learner().adamV().b1());
        assertThat(read.learner().onlineV()).isEqualTo(written.learner().onlineV());
        assertThat(read.learner().updates()).isEqualTo(100);
        StoredTransition[] a = written.replay().transitions();
        StoredTransition[] b = read.replay().transitions();
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i].episodeHi()).isEqualTo(a[i].episodeHi());
            assertThat(b[i].episodeLo()).isEqualTo(a[i].episodeLo());
            assertThat(b[i].step()).isEqualTo(a[i].step());
            assertThat(b[i].prompt()).isEqualTo(a[i].prompt());
            assertThat(b[i].prefix()).isEqualTo(a[i].prefix());
            assertThat(b[i].action()).isEqualTo(a[i].action());
            assertThat(Float.floatToRawIntBits(b[i].reward())).isEqualTo(Float.floatToRawIntBits(a[i].reward()));
            assertThat(b[i].discount()).isEqualTo(a[i].discount());
            assertThat(b[i].bootstrapActions()).isEqualTo(a[i].bootstrapActions());
            assertThat(b[i].mask()).isEqualTo(a[i].mask());
            assertThat(b[i].nextMask()).isEqualTo(a[i].nextMask());
            assertThat(b[i].sourceOffset()).isEqualTo(a[i].sourceOffset());
            assertThat(b[i].demonstration()).isEqualTo(a[i].demonstration());
            assertThat(b[i].policyVersion()).isEqualTo(a[i].policyVersion());
        }
        assertThat(b[0].prompt()).isSameAs(b[1].prompt()); // shared prompts stay shared
        assertThat(read.replay().priorities()).isEqualTo(written.replay().priorities());
        assertThat(read.replay().inserted()).isEqualTo(42);
    }

    /**
     * {@code format-3.qckpt} was written by the format-3 writer (before replay kept versions) from
     * {@link #checkpoint(long)} at 100 updates, model version 5, with its third transition marked as a demonstration.
     */
    @Test
    void aFormat3CheckpointStillLoadsWithItsTransitionsCountedAsCurrent(@TempDir Path dir) throws Exception {
        Path old = dir.resolve("checkpoint-000000000100.qckpt");
        try (var in = CheckpointStoreTest.class.getResourceAsStream("/checkpoint/format-3.qckpt")) {
            Files.copy(in, old);
        }
        assertThat(ByteBuffer.wrap(Files.readAllBytes(old)).getInt(4)).as("the fixture's format").isEqualTo(3);
        Checkpoint read = new CheckpointStore(dir, 3).loadNewest().orElseThrow();
        Checkpoint expected = checkpoint(100);
        assertThat(read.modelVersion()).isEqualTo(5);
        assertThat(read.updates()).isEqualTo(100);
        assertThat(read.positions()).isEqualTo(expected.positions());
        assertThat(read.learner().online().w1()).isEqualTo(expected.learner().online().w1());
        StoredTransition[] b = read.replay().transitions();
        assertThat(b).extracting(StoredTransition::reward).containsExactly(0.5f, -1.25f, Float.MIN_VALUE);
        assertThat(b).extracting(StoredTransition::demonstration).containsExactly(false, false, true);
        assertThat(b).extracting(StoredTransition::policyVersion).as("unknown: the checkpoint's model version")
                .containsExactly(5, 5, 5);
        assertThat(read.replay().priorities()).isEqualTo(expected.replay().priorities());
        assertThat(read.replay().inserted()).isEqualTo(42);

        // Restored into a bounded replay at that version, none of it is stale; five versions on, it is.
        ReplayBuffer replay = new ReplayBuffer(ReplayConfig.prioritized(8), new StalenessBound(3, StaleTransitions.DROP));
        replay.restore(read.replay());
        assertThat(replay.advanceVersion(read.modelVersion())).isZero();
        assertThat(replay.advanceVersion(read.modelVersion() + 4)).as("the two policy rows; the demonstration stays").isEqualTo(2);

        // Written again, it is in the current format and keeps the versions it was given.
        Path rewritten = new CheckpointStore(dir.resolve("new"), 3).write(read);
        assertThat(ByteBuffer.wrap(Files.readAllBytes(rewritten)).getInt(4)).isEqualTo(5);
        assertThat(CheckpointStore.read(rewritten).replay().transitions()).extracting(StoredTransition::policyVersion)
                .containsExactly(5, 5, 5);
    }

    @Test
    void aCorruptedNewestFileFallsBackToThePreviousAndOldOnesArePruned(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, 2);
        store.write(checkpoint(1));
        store.write(checkpoint(2));
        Path newest = store.write(checkpoint(3));
        assertThat(store.list()).hasSize(2);
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x7F;
        Files.write(newest, bytes);
        assertThat(store.loadNewest().orElseThrow().updates()).isEqualTo(2);
        Files.write(newest, Arrays.copyOf(bytes, 100)); // truncated, as by a crash mid-copy
        assertThat(store.loadNewest().orElseThrow().updates()).isEqualTo(2);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp"));
        }
    }

    /** Rewrites an int at the start of the body and re-seals the file with a valid SHA-256 trailer. */
    private static void resealWithInt(Path file, int offset, int value) throws Exception {
        byte[] all = Files.readAllBytes(file);
        byte[] body = Arrays.copyOf(all, all.length - 32);
        ByteBuffer.wrap(body).putInt(offset, value);
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(body);
        byte[] sealed = Arrays.copyOf(body, body.length + 32);
        System.arraycopy(sha, 0, sealed, body.length, 32);
        Files.write(file, sealed);
    }

    @Test
    void thePromotionGatesTrialEvidenceRoundTripsWithItsCountedEpisodes(@TempDir Path dir) throws Exception {
        ArmStats champion = new ArmStats();
        ArmStats challenger = new ArmStats();
        List.of(0.5, 0.7, 0.6).forEach(champion::add);
        List.of(0.2, 0.4).forEach(challenger::add);
        List<UUID> counted = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        Checkpoint c = checkpoint(7);
        Checkpoint written = new Checkpoint(c.modelVersion(), c.sampled(), c.vocabularyFingerprint(), c.learner(), c.replay(),
                c.positions(), c.createdAtMillis(), new TrialTally.Snapshot(4, 9, 1_700_000_000_123L, champion, challenger, counted));
        CheckpointStore store = new CheckpointStore(dir, 3);
        store.write(written);
        TrialTally.Snapshot read = store.loadNewest().orElseThrow().trial();
        assertThat(read.champion()).isEqualTo(4);
        assertThat(read.challenger()).isEqualTo(9);
        assertThat(read.sinceMillis()).isEqualTo(1_700_000_000_123L);
        assertThat(read.championArm().count()).isEqualTo(3);
        assertThat(read.championArm().mean()).isEqualTo(champion.mean());
        assertThat(read.championArm().variance()).isEqualTo(champion.variance());
        assertThat(read.challengerArm().mean()).isEqualTo(challenger.mean());
        assertThat(read.counted()).containsExactlyInAnyOrderElementsOf(counted);
        assertThat(store.loadNewest().orElseThrow().positions()).isEqualTo(c.positions());
    }

    /**
     * A format-4 file is a format-5 one without the trial section: made here from a current file with no trial (its
     * last body byte is the "no trial" flag), it loads, without a trial.
     */
    @Test
    void aFormat4CheckpointLoadsWithoutATrial(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, 3);
        Path file = store.write(checkpointWithVersions(100, 4, 5, 0));
        byte[] all = Files.readAllBytes(file);
        byte[] body = Arrays.copyOf(all, all.length - 32 - 1);
        assertThat(all[all.length - 33]).as("the no-trial flag").isZero();
        ByteBuffer.wrap(body).putInt(4, 4);
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(body);
        byte[] sealed = Arrays.copyOf(body, body.length + 32);
        System.arraycopy(sha, 0, sealed, body.length, 32);
        Files.write(file, sealed);
        Checkpoint read = CheckpointStore.read(file);
        assertThat(read.trial()).isNull();
        assertThat(read.replay().transitions()[1].policyVersion()).isEqualTo(5);
        assertThat(read.updates()).isEqualTo(100);
    }

    @Test
    void anIntactFileOfAnotherKindOrFormatIsRefusedByNameAndSkipped(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, 3);
        store.write(checkpoint(1));
        Path foreign = store.write(checkpoint(2));
        resealWithInt(foreign, 0, 0x12345678); // not our magic, checksum still fine
        assertThatThrownBy(() -> CheckpointStore.read(foreign)).hasMessage("not a qstream checkpoint");
        Path future = store.write(checkpoint(3));
        resealWithInt(future, 4, 99); // a format this build does not know
        assertThatThrownBy(() -> CheckpointStore.read(future)).hasMessage("unsupported checkpoint format 99");
        assertThat(store.loadNewest().orElseThrow().updates()).as("both skipped, the intact one loads").isEqualTo(1);
        Files.delete(store.list().stream().filter(p -> !p.equals(foreign) && !p.equals(future)).findFirst().orElseThrow());
        assertThat(store.loadNewest()).as("nothing readable left: start from the published model").isEmpty();
    }

    @Test
    void anUnwritableDirectoryFailsCleanlyAndLeavesThePreviousCheckpoint(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, 3);
        store.write(checkpoint(1));
        Path blocker = dir.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        CheckpointStore broken = new CheckpointStore(blocker.resolve("sub"), 3);
        assertThatThrownBy(() -> broken.write(checkpoint(2))).isInstanceOf(IOException.class);
        assertThat(store.loadNewest().orElseThrow().updates()).isEqualTo(1);
    }
}
