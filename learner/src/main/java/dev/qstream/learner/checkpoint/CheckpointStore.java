package dev.qstream.learner.checkpoint;

import dev.qstream.learner.deploy.ArmStats;
import dev.qstream.learner.deploy.TrialTally;
import dev.qstream.learner.dqn.DqnUpdate;
import dev.qstream.learner.replay.ReplayBuffer;
import dev.qstream.learner.replay.StoredTransition;
import dev.qstream.policy.network.InvalidWeightsException;
import dev.qstream.policy.network.ModelSnapshot;
import dev.qstream.policy.network.QNetworkWeights;
import dev.qstream.policy.network.WeightFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checkpoints in a directory, written atomically: the bytes go to a temporary file, are forced to disk, and only then
 * renamed to {@code checkpoint-<updates>.qckpt}; a crash mid-write leaves the previous checkpoint untouched. Each file
 * ends with the SHA-256 of its contents, so a truncated or corrupted file is skipped on load in favour of the newest
 * valid one. The newest {@code keep} checkpoints are kept.
 *
 * <p>Format (big-endian): magic "QCKP", the format number ({@link #FORMAT}), metadata, four weight blobs in
 * {@link WeightFormat}, the replay (a prompt table, then each transition), the positions, the promotion gate's trial
 * evidence (a flag, then the trial and its counted episode ids), then the SHA-256 of everything before it.
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final int MAGIC = 0x51434B50; // "QCKP"
    /**
     * 5: after the positions, the promotion gate's trial evidence (the arms and the ids of the episodes counted).
     * Format 4 (without it) is read as "no trial". From 4 on, each replay transition ends with its behaviour policy's
     * model version (an int, after the demonstration flag). Formats 3 (without the version) and 2 (without the flag
     * either) are still read: a transition without a version is given the checkpoint's model version, so it counts as
     * current on restore and ages from there (its true version is older, but unknown; taking it as 0 would make a
     * staleness bound drop all of it at once).
     */
    private static final int FORMAT = 5;
    private static final int FORMAT_WITHOUT_TRIAL = 4;
    private static final int FORMAT_WITHOUT_VERSIONS = 3;
    private static final int FORMAT_WITHOUT_DEMONSTRATIONS = 2;
    private static final String SUFFIX = ".qckpt";

    private final Path dir;
    private final int keep;
    private final long epoch;

    public CheckpointStore(Path dir, int keep) {
        this(dir, keep, 0);
    }

    /**
     * @param epoch the writer's lease epoch (an active learner's lease generation; 0 without a lease). Files are
     *              ordered by epoch, then updates: a learner that lost its lease and writes once more before it
     *              notices (a zombie) cannot outrank the checkpoints of the learner that took over.
     */
    public CheckpointStore(Path dir, int keep, long epoch) {
        if (keep < 1 || epoch < 0) {
            throw new IllegalArgumentException("keep must be >= 1 and epoch >= 0");
        }
        this.dir = dir;
        this.keep = keep;
        this.epoch = epoch;
    }

    public Path dir() {
        return dir;
    }

    /** Writes a checkpoint atomically and prunes old ones; returns the file. */
    public Path write(Checkpoint c) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(epoch == 0 ? String.format("checkpoint-%012d%s", c.updates(), SUFFIX)
                : String.format("checkpoint-e%010d-%012d%s", epoch, c.updates(), SUFFIX));
        Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
                 OutputStream raw = Channels.newOutputStream(channel)) {
                MessageDigest sha = sha256();
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new DigestOutputStream(raw, sha), 1 << 16));
                writeBody(out, c);
                out.flush();
                out.write(sha.digest()); // the trailer is not part of what it hashes
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        prune();
        return target;
    }

    /** The newest checkpoint that reads back intact, if any. */
    public Optional<Checkpoint> loadNewest() {
        for (Path file : list()) {
            try {
                return Optional.of(read(file));
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping unreadable checkpoint {}: {}", file.getFileName(), e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Checkpoint files, newest first: by writer epoch, then updates ({@code checkpoint-[e<epoch>-]<updates>.qckpt}). */
    public List<Path> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("checkpoint-") && p.toString().endsWith(SUFFIX))
                    .sorted(Comparator.comparingLong((Path p) -> nameOrder(p, 0)).thenComparingLong(p -> nameOrder(p, 1))
                            .thenComparing(p -> p.getFileName().toString()).reversed()).toList();
        } catch (IOException e) {
            LOG.warn("cannot list checkpoints in {}: {}", dir, e.getMessage());
            return List.of();
        }
    }

    /** Part {@code i} (0 = epoch, 1 = updates) of a checkpoint file name; names without an epoch are epoch 0. */
    private static long nameOrder(Path file, int i) {
        String name = file.getFileName().toString();
        String core = name.substring("checkpoint-".length(), name.length() - SUFFIX.length());
        try {
            if (core.startsWith("e") && core.indexOf('-') > 0) {
                return Long.parseLong(i == 0 ? core.substring(1, core.indexOf('-')) : core.substring(core.indexOf('-') + 1));
            }
            return i == 0 ? 0 : Long.parseLong(core);
        } catch (NumberFormatException e) {
            return -1; // not one of ours: last
        }
    }

    private void prune() {
        List<Path> files = list();
        for (int i = keep; i < files.size(); i++) {
            try {
                Files.deleteIfExists(files.get(i));
            } catch (IOException e) {
                LOG.warn("cannot delete old checkpoint {}: {}", files.get(i), e.getMessage());
            }
        }
    }

    public static Checkpoint read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 32 + 8) {
            throw new IOException("too short to be a checkpoint");
        }
        MessageDigest sha = sha256();
        sha.update(all, 0, all.length - 32);
        if (!MessageDigest.isEqual(sha.digest(), Arrays.copyOfRange(all, all.length - 32, all.length))) {
            throw new IOException("checksum mismatch (truncated or corrupted)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 32))) {
            return readBody(in);
        }
    }

    private static void writeBody(DataOutputStream out, Checkpoint c) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeLong(c.modelVersion());
        out.writeLong(c.updates());
        out.writeLong(c.sampled());
        out.writeLong(c.createdAtMillis());
        out.writeUTF(c.vocabularyFingerprint());
        DqnUpdate.State s = c.learner();
        for (QNetworkWeights w : List.of(s.online(), s.target(), s.adamM(), s.adamV())) {
            byte[] blob = WeightFormat.encode(new ModelSnapshot(c.modelVersion(), -1, c.vocabularyFingerprint(), w));
            out.writeInt(blob.length);
            out.write(blob);
        }
        for (float[] v : List.of(s.onlineV(), s.targetV(), s.adamMV(), s.adamVV())) {
            out.writeInt(v.length);
            for (float f : v) {
                out.writeFloat(f);
            }
        }
        ReplayBuffer.Snapshot r = c.replay();
        out.writeLong(r.inserted());
        out.writeDouble(r.maxPriority());
        Map<short[], Integer> prompts = new IdentityHashMap<>();
        List<short[]> promptTable = new ArrayList<>();
        for (StoredTransition t : r.transitions()) {
            prompts.computeIfAbsent(t.prompt(), p -> {
                promptTable.add(p);
                return promptTable.size() - 1;
            });
        }
        out.writeInt(promptTable.size());
        for (short[] p : promptTable) {
            writeShorts(out, p);
        }
        out.writeInt(r.transitions().length);
        for (int i = 0; i < r.transitions().length; i++) {
            StoredTransition t = r.transitions()[i];
            out.writeLong(t.episodeHi());
            out.writeLong(t.episodeLo());
            out.writeInt(t.step());
            out.writeInt(prompts.get(t.prompt()));
            writeShorts(out, t.prefix());
            out.writeInt(t.action());
            out.writeFloat(t.reward());
            out.writeFloat(t.discount());
            writeShorts(out, t.bootstrapActions());
            writeShorts(out, t.mask());
            writeShorts(out, t.nextMask());
            out.writeInt(t.lastStep());
            out.writeInt(t.sourcePartition());
            out.writeLong(t.sourceOffset());
            out.writeFloat(r.priorities()[i]);
            out.writeBoolean(t.demonstration());
            out.writeInt(t.policyVersion());
        }
        out.writeInt(c.positions().size());
        for (Map.Entry<String, Long> e : c.positions().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
        writeTrial(out, c.trial());
    }

    private static void writeTrial(DataOutputStream out, TrialTally.Snapshot t) throws IOException {
        out.writeBoolean(t != null);
        if (t == null) {
            return;
        }
        out.writeLong(t.champion());
        out.writeLong(t.challenger());
        out.writeLong(t.sinceMillis());
        for (ArmStats a : List.of(t.championArm(), t.challengerArm())) {
            out.writeLong(a.count());
            out.writeDouble(a.count() == 0 ? 0 : a.mean());
            out.writeDouble(a.m2());
        }
        out.writeInt(t.counted().size());
        for (UUID id : t.counted()) {
            out.writeLong(id.getMostSignificantBits());
            out.writeLong(id.getLeastSignificantBits());
        }
    }

    private static TrialTally.Snapshot readTrial(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        long champion = in.readLong();
        long challenger = in.readLong();
        long since = in.readLong();
        ArmStats[] arms = new ArmStats[2];
        for (int i = 0; i < 2; i++) {
            long n = in.readLong();
            double mean = in.readDouble();
            double m2 = in.readDouble();
            try {
                arms[i] = ArmStats.of(n, mean, m2);
            } catch (IllegalArgumentException e) {
                throw new IOException("bad trial evidence: " + e.getMessage(), e);
            }
        }
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("bad trial evidence: " + n + " counted episodes");
        }
        List<UUID> counted = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            counted.add(new UUID(in.readLong(), in.readLong()));
        }
        return new TrialTally.Snapshot(champion, challenger, since, arms[0], arms[1], counted);
    }

    private static Checkpoint readBody(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a qstream checkpoint");
        }
        int format = in.readInt();
        if (format != FORMAT && format != FORMAT_WITHOUT_TRIAL && format != FORMAT_WITHOUT_VERSIONS
                && format != FORMAT_WITHOUT_DEMONSTRATIONS) {
            throw new IOException("unsupported checkpoint format " + format);
        }
        long version = in.readLong();
        long updates = in.readLong();
        long sampled = in.readLong();
        long created = in.readLong();
        String fingerprint = in.readUTF();
        QNetworkWeights[] w = new QNetworkWeights[4];
        for (int i = 0; i < 4; i++) {
            byte[] blob = new byte[in.readInt()];
            in.readFully(blob);
            try {
                w[i] = WeightFormat.decode(blob).weights();
            } catch (InvalidWeightsException e) {
                throw new IOException("weights section " + i + ": " + e.getMessage(), e);
            }
        }
        float[][] vectors = new float[4][];
        for (int i = 0; i < 4; i++) {
            vectors[i] = new float[in.readInt()];
            for (int j = 0; j < vectors[i].length; j++) {
                vectors[i][j] = in.readFloat();
            }
        }
        long inserted = in.readLong();
        double maxPriority = in.readDouble();
        short[][] prompts = new short[in.readInt()][];
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = readShorts(in);
        }
        int n = in.readInt();
        StoredTransition[] items = new StoredTransition[n];
        float[] priorities = new float[n];
        for (int i = 0; i < n; i++) {
            long hi = in.readLong();
            long lo = in.readLong();
            int step = in.readInt();
            short[] prompt = prompts[in.readInt()];
            short[] prefix = readShorts(in);
            int action = in.readInt();
            float reward = in.readFloat();
            float discount = in.readFloat();
            short[] bootstrap = readShorts(in);
            short[] mask = readShorts(in);
            short[] nextMask = readShorts(in);
            int lastStep = in.readInt();
            int partition = in.readInt();
            long offset = in.readLong();
            priorities[i] = in.readFloat();
            boolean demonstration = format >= FORMAT_WITHOUT_VERSIONS && in.readBoolean();
            int policyVersion = format >= FORMAT_WITHOUT_TRIAL ? in.readInt() : StoredTransition.narrowVersion(version);
            items[i] = new StoredTransition(hi, lo, step, prompt, prefix, action, reward, discount, bootstrap, mask,
                    nextMask, lastStep, partition, offset, demonstration, policyVersion);
        }
        Map<String, Long> positions = new LinkedHashMap<>();
        int p = in.readInt();
        for (int i = 0; i < p; i++) {
            positions.put(in.readUTF(), in.readLong());
        }
        TrialTally.Snapshot trial = format >= FORMAT ? readTrial(in) : null;
        DqnUpdate.State state = new DqnUpdate.State(w[0], w[1], w[2], w[3], vectors[0], vectors[1], vectors[2], vectors[3], updates);
        return new Checkpoint(version, sampled, fingerprint, state,
                new ReplayBuffer.Snapshot(items, priorities, inserted, maxPriority), positions, created, trial);
    }

    private static void writeShorts(DataOutputStream out, short[] a) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        for (short s : a) {
            out.writeShort(s);
        }
    }

    private static short[] readShorts(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        short[] a = new short[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readShort();
        }
        return a;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
