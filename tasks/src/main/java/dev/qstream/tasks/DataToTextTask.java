package dev.qstream.tasks;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded generator of a restaurant data-to-text task in the spirit of E2E NLG: structured facts in, a sentence
 * out, three reference phrasings per prompt. Eval prompts are fact combinations never seen in training, built from
 * the same value pools, so a policy that learned the phrasing generalises to them.
 */
public final class DataToTextTask {

    public static final String NAME = "data-to-text";
    public static final long DEFAULT_SEED = 7L;
    public static final int DEFAULT_SIZE = 1200;

    private static final String[] NAMES = {"the eagle", "blue spice", "the golden curry", "aromi", "the mill",
            "green man", "the phoenix", "zizzi", "the punter", "cotto", "giraffe", "the wrestlers", "clowns",
            "the vaults", "bibimbap house", "the olive grove", "strada", "fitzbillies", "the rice boat", "alimentum",
            "midsummer house", "the cricketers", "loch fyne", "browns cambridge", "the dumpling tree", "wildwood",
            "travellers rest beefeater", "the waterman", "cocum", "taste of cambridge"};
    private static final String[] FOODS = {"italian", "french", "chinese", "indian", "english", "japanese",
            "fast food", "mexican"};
    private static final String[] AREAS = {"riverside", "city centre"};
    private static final String[] PRICES = {"cheap", "moderately priced", "expensive", "high priced"};
    private static final String[] NEAR = {"the bakers", "burger king", "crowne plaza hotel", "the portland arms",
            "raja indian cuisine", "cafe sicilia", "all bar one", "the sorrento", "yippee noodle bar", "ranch"};

    private DataToTextTask() {
    }

    public static List<TaskPrompt> generate(long seed, int size) {
        Random random = new Random(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<TaskPrompt> prompts = new ArrayList<>();
        int attempts = 0;
        while (prompts.size() < size && attempts++ < size * 50) {
            String name = pick(NAMES, random);
            String food = pick(FOODS, random);
            String area = pick(AREAS, random);
            String price = pick(PRICES, random);
            String near = random.nextBoolean() ? pick(NEAR, random) : null;
            String key = String.join("|", name, food, area, price, String.valueOf(near));
            if (!seen.add(key)) {
                continue;
            }
            StringBuilder prompt = new StringBuilder()
                    .append("name[").append(name).append("] food[").append(food).append("] price[").append(price)
                    .append("] area[").append(area).append(']');
            if (near != null) {
                prompt.append(" near[").append(near).append(']');
            }
            String nearClause = near == null ? "" : " near " + near;
            List<String> references = List.of(
                    name + " serves " + price + " " + food + " food in the " + area + " area" + nearClause + ".",
                    name + " is a " + price + " " + food + " restaurant in the " + area + nearClause + ".",
                    "in the " + area + nearClause + ", " + name + " offers " + price + " " + food + " food.");
            int index = prompts.size();
            TaskPrompt.Split split = index % 10 == 9 ? TaskPrompt.Split.EVAL : TaskPrompt.Split.TRAIN;
            prompts.add(new TaskPrompt(NAME + "-" + index, prompt.toString(), references, split));
        }
        return prompts;
    }

    private static String pick(String[] values, Random random) {
        return values[random.nextInt(values.length)];
    }
}
