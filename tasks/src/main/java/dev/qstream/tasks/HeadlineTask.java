package dev.qstream.tasks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded generator of a short headline task: a two-sentence news item in, a headline out (three reference
 * phrasings). The headline picks the actor, the action and the object out of the first sentence and drops the rest,
 * so "copy the first k words" is a weak baseline and a policy has to learn which words to keep.
 */
public final class HeadlineTask {

    public static final String NAME = "headline";
    public static final long DEFAULT_SEED = 11L;
    public static final int DEFAULT_SIZE = 1000;

    private static final String[] ACTORS = {"the city council", "the school board", "the health ministry", "the central bank",
            "the football club", "the museum", "the port authority", "the university", "the tech company", "the railway operator",
            "the energy regulator", "the hospital trust"};
    private static final String[] SHORT = {"council", "school board", "ministry", "central bank", "club", "museum",
            "port", "university", "tech firm", "railway", "regulator", "hospital trust"};
    private static final String[][] ACTIONS = {
            {"approved", "approves"}, {"rejected", "rejects"}, {"announced", "announces"}, {"delayed", "delays"},
            {"cancelled", "cancels"}, {"expanded", "expands"}};
    private static final String[] OBJECTS = {"a new budget", "the bridge project", "free school meals", "higher fees",
            "a cycling plan", "the summer festival", "new opening hours", "a hiring freeze", "the data centre",
            "lower fares"};
    private static final String[] OBJECT_HEADS = {"budget", "bridge project", "free school meals", "higher fees",
            "cycling plan", "summer festival", "new opening hours", "hiring freeze", "data centre", "lower fares"};
    private static final String[] DAYS = {"on monday", "on tuesday", "on wednesday", "on thursday", "on friday", "this week"};
    private static final String[] FILLERS = {"officials said the decision followed months of debate.",
            "the vote was closer than expected.", "critics said more time was needed.",
            "a spokesperson declined to comment further.", "local residents had called for the change.",
            "the plan will be reviewed next year."};

    private HeadlineTask() {
    }

    public static List<TaskPrompt> generate(long seed, int size) {
        Random random = new Random(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<TaskPrompt> out = new ArrayList<>();
        int attempts = 0;
        while (out.size() < size && attempts++ < size * 50) {
            int a = random.nextInt(ACTORS.length);
            int v = random.nextInt(ACTIONS.length);
            int o = random.nextInt(OBJECTS.length);
            String day = DAYS[random.nextInt(DAYS.length)];
            String filler = FILLERS[random.nextInt(FILLERS.length)];
            String key = a + "|" + v + "|" + o + "|" + day + "|" + filler;
            if (!seen.add(key)) {
                continue;
            }
            String article = ACTORS[a] + " " + ACTIONS[v][0] + " " + OBJECTS[o] + " " + day + ". " + filler;
            List<String> refs = List.of(
                    SHORT[a] + " " + ACTIONS[v][1] + " " + OBJECT_HEADS[o],
                    ACTORS[a] + " " + ACTIONS[v][1] + " " + OBJECT_HEADS[o],
                    SHORT[a] + " " + ACTIONS[v][0] + " " + OBJECT_HEADS[o]);
            int index = out.size();
            // The split follows the headline (actor, action, object), not the article: no eval reference set also
            // occurs in training, so held-out scores measure generalisation to new combinations, not recall.
            int headline = (a * ACTIONS.length + v) * OBJECTS.length + o;
            boolean eval = Math.floorMod(headline * 7 + 3, 10) == 9;
            out.add(new TaskPrompt(NAME + "-" + index, article, refs, eval ? TaskPrompt.Split.EVAL : TaskPrompt.Split.TRAIN));
        }
        return out;
    }
}
