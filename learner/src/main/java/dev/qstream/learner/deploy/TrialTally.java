package dev.qstream.learner.deploy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The scored episodes of the trial that is on: the ingest thread adds every finished episode, the training thread
 * reads the two arms. Only episodes of the trial's two versions that ended after the trial began count, so both
 * arms cover the same window of traffic (the canary split by episode id makes them the same mix). Each episode
 * counts once: the ids counted are kept (and checkpointed with the arms), so the records a restarted learner reads
 * again from its checkpoint's offsets are not counted twice, and none counted before the checkpoint is lost.
 */
public final class TrialTally {

    /** The tally as a checkpoint keeps it. */
    public record Snapshot(long champion, long challenger, long sinceMillis, ArmStats championArm,
                           ArmStats challengerArm, List<UUID> counted) {
    }

    private long champion = -1;
    private long challenger = -1;
    private long sinceMillis;
    private ArmStats championArm = new ArmStats();
    private ArmStats challengerArm = new ArmStats();
    private Set<UUID> counted = new HashSet<>();

    /** Starts counting a new trial (what was counted before is dropped). */
    public synchronized void open(long championVersion, long challengerVersion, long sinceMillis) {
        this.champion = championVersion;
        this.challenger = challengerVersion;
        this.sinceMillis = sinceMillis;
        this.championArm = new ArmStats();
        this.challengerArm = new ArmStats();
        this.counted = new HashSet<>();
    }

    /** Stops counting: no trial is on. */
    public synchronized void close() {
        champion = -1;
        challenger = -1;
        counted = new HashSet<>();
    }

    /** One finished episode: its id, version, total reward, and when its last step was taken. */
    public synchronized void observe(UUID episode, long version, double episodeReward, long endedAtMillis) {
        if (challenger < 0 || endedAtMillis < sinceMillis || !Double.isFinite(episodeReward)
                || (version != challenger && version != champion) || !counted.add(episode)) {
            return;
        }
        (version == challenger ? challengerArm : championArm).add(episodeReward);
    }

    /** The trial being counted, for a checkpoint; null when none is. */
    public synchronized Snapshot snapshot() {
        if (challenger < 0) {
            return null;
        }
        return new Snapshot(champion, challenger, sinceMillis, championArm.copy(), challengerArm.copy(), List.copyOf(counted));
    }

    /** Continues counting a trial from a checkpoint (the records after it will be read again; counted ones are skipped). */
    public synchronized void restore(Snapshot s) {
        open(s.champion(), s.challenger(), s.sinceMillis());
        championArm = s.championArm().copy();
        challengerArm = s.challengerArm().copy();
        counted = new HashSet<>(s.counted());
    }

    /** Episodes counted in the trial so far: when it has not moved, there is nothing new to judge. */
    public synchronized int counted() {
        return counted.size();
    }

    /** Copies of both arms, for the trial of these versions; null when that trial is not the one counted. */
    public synchronized Arms arms(long championVersion, long challengerVersion) {
        if (champion != championVersion || challenger != challengerVersion) {
            return null;
        }
        return new Arms(championArm.copy(), challengerArm.copy());
    }

    public record Arms(ArmStats champion, ArmStats challenger) {
    }
}
