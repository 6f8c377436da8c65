package dev.qstream.tasks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A validation split carved out of a task's train lines, so that settings are picked on prompts the policy does not
 * train on without ever looking at the eval lines whose scores are reported. The carved task has the chosen train
 * lines as its {@code EVAL} split and the rest as {@code TRAIN}; the original eval lines are dropped, so nothing
 * built from it (vocabulary, common words, demonstrations) can see them.
 *
 * <p>Which lines are chosen depends only on each line's id and the seed (a CRC, stable across JVMs and runs), not on
 * the order of the file, so the split is the same wherever it is carved.
 */
public final class ValidationSplit {

    /** The default share of train lines held out for validation. */
    public static final double DEFAULT_FRACTION = 0.1;
    /** The default split: fixed, so runs with different training seeds are measured on the same lines. */
    public static final long DEFAULT_SEED = 1;

    private ValidationSplit() {
    }

    /**
     * @param fraction share of the train lines to hold out, in (0, 1)
     * @param seed     which lines: another seed, another split
     * @throws IllegalArgumentException when the fraction is out of range or leaves either side empty
     */
    public static List<TaskPrompt> carve(List<TaskPrompt> task, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + fraction);
        }
        List<TaskPrompt> out = new ArrayList<>();
        int held = 0;
        int kept = 0;
        for (TaskPrompt p : task) {
            if (p.split() != TaskPrompt.Split.TRAIN) {
                continue;
            }
            boolean validation = unit(p.id(), seed) < fraction;
            out.add(new TaskPrompt(p.id(), p.prompt(), p.references(),
                    validation ? TaskPrompt.Split.EVAL : TaskPrompt.Split.TRAIN));
            if (validation) {
                held++;
            } else {
                kept++;
            }
        }
        if (held == 0 || kept == 0) {
            throw new IllegalArgumentException("a validation fraction of " + fraction + " leaves " + held
                    + " validation and " + kept + " train lines; both need at least one");
        }
        return out;
    }

    /** A number in [0, 1) fixed by the id and the seed. */
    private static double unit(String id, long seed) {
        CRC32 crc = new CRC32();
        crc.update((seed + ":" + id).getBytes(StandardCharsets.UTF_8));
        return crc.getValue() / (double) (1L << 32);
    }
}
