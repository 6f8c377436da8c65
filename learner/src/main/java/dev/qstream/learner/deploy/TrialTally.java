package dev.qstream.learner.deploy;

/**
 * The scored episodes of the trial that is on: the ingest thread adds every finished episode, the training thread
 * reads the two arms. Only episodes of the trial's two versions that ended after the trial began count, so both
 * arms cover the same window of traffic (the canary split by episode id makes them the same mix).
 */
public final class TrialTally {

    private long champion = -1;
    private long challenger = -1;
    private long sinceMillis;
    private ArmStats championArm = new ArmStats();
    private ArmStats challengerArm = new ArmStats();

    /** Starts counting a new trial (what was counted before is dropped). */
    public synchronized void open(long championVersion, long challengerVersion, long sinceMillis) {
        this.champion = championVersion;
        this.challenger = challengerVersion;
        this.sinceMillis = sinceMillis;
        this.championArm = new ArmStats();
        this.challengerArm = new ArmStats();
    }

    /** Stops counting: no trial is on. */
    public synchronized void close() {
        champion = -1;
        challenger = -1;
    }

    /** One finished episode: its version, its total reward, when its last step was taken. */
    public synchronized void observe(long version, double episodeReward, long endedAtMillis) {
        if (challenger < 0 || endedAtMillis < sinceMillis || !Double.isFinite(episodeReward)) {
            return;
        }
        if (version == challenger) {
            challengerArm.add(episodeReward);
        } else if (version == champion) {
            championArm.add(episodeReward);
        }
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
