package dev.qstream.policy.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The action space: token id ↔ word. Ids 0..2 are the special tokens; words follow by descending frequency (ties
 * in lexical order), so building from the same corpus always gives the same ids; the last ids are copy actions
 * ({@code <copy@name [ 0>}, ... for the prompt contexts of the train split, then {@code <copy:0>}, {@code <copy:1>},
 * ... shared by the others), which emit a word of the prompt rather than a word of the vocabulary (see
 * {@link PromptCopies}, {@link CopyContext}): that is how a policy says a name it never saw in training. The fingerprint (SHA-256
 * of the token list, copy actions included) travels in every model's header so that an actor never serves weights
 * trained for another action space.
 */
public final class Vocabulary {

    public static final String PAD = "<pad>";
    public static final String UNK = "<unk>";
    public static final String EOS = "<eos>";
    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;
    public static final int EOS_ID = 2;
    public static final int SPECIAL_TOKENS = 3;
    /** Largest number of words (special tokens not counted). */
    public static final int MAX_WORDS = 10_000;
    /** Copy actions of a task vocabulary by default: enough slots that a prompt's words rarely share one. */
    public static final int DEFAULT_COPY_SLOTS = 64;
    /** Largest number of copy actions. */
    public static final int MAX_COPY_SLOTS = 1_024;
    private static final String COPY_PREFIX = "<copy:";
    private static final String NAMED_COPY_PREFIX = "<copy@";
    /** Share of the copy slots a build may give contexts of their own; the rest are shared by unseen contexts. */
    private static final double MAX_NAMED_SHARE = 0.75;

    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final String fingerprint;
    private final int firstCopy;
    private final Map<CopyContext, Integer> namedSlots = new HashMap<>(); // slot of each context with its own action

    private Vocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        int first = tokens.size();
        while (first > SPECIAL_TOKENS && isCopyToken(tokens.get(first - 1))) {
            first--;
        }
        int named = first;
        while (named < tokens.size() && tokens.get(named).startsWith(NAMED_COPY_PREFIX)) {
            CopyContext context = CopyContext.parse(tokens.get(named).substring(NAMED_COPY_PREFIX.length(), tokens.get(named).length() - 1));
            if (context == null) {
                throw new IllegalArgumentException("copy action '" + tokens.get(named) + "' does not name a context (key mark offset)");
            }
            namedSlots.put(context, named - first);
            named++;
        }
        for (int i = named; i < tokens.size(); i++) {
            if (!tokens.get(i).equals(copyToken(i - named))) {
                throw new IllegalArgumentException("copy actions must end the vocabulary: the named ones, then <copy:0>, <copy:1>, ... in order");
            }
        }
        for (int i = 0; i < first; i++) {
            if (isCopyToken(tokens.get(i))) {
                throw new IllegalArgumentException("copy action '" + tokens.get(i) + "' among the words: copy actions come last");
            }
        }
        this.firstCopy = first;
        this.ids = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < tokens.size(); i++) {
            if (ids.put(tokens.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate token in vocabulary: '" + tokens.get(i) + "'");
            }
        }
        this.fingerprint = sha256(String.join("\n", tokens));
    }

    /** Builds from texts: every distinct token, the most frequent first, at most {@code maxWords}; no copy actions. */
    public static Vocabulary build(Collection<String> texts, Tokenizer tokenizer, int maxWords) {
        return build(texts, tokenizer, maxWords, 0);
    }

    /**
     * Builds from texts: every distinct token, the most frequent first, at most {@code maxWords}, then
     * {@code copySlots} copy actions.
     */
    public static Vocabulary build(Collection<String> texts, Tokenizer tokenizer, int maxWords, int copySlots) {
        return build(texts, tokenizer, maxWords, copySlots, List.of());
    }

    /**
     * Builds from texts: every distinct token, the most frequent first, at most {@code maxWords}, then
     * {@code copySlots} copy actions. Of those, the contexts of {@code copyContexts} (where the train prompts' words
     * stand: see {@link CopyContext}) get actions of their own, the most frequent first, up to three quarters of the
     * slots; the rest are shared, by hash, by every context not named. Hashing alone let two frequent contexts share
     * an action (on E2E half of the prompts had such a pair: "near the 30 arms" for "near the Portland Arms", where
     * "£30" stood in the same slot), so the copy said the wrong word.
     */
    public static Vocabulary build(Collection<String> texts, Tokenizer tokenizer, int maxWords, int copySlots,
                                   Collection<CopyContext> copyContexts) {
        if (maxWords < 1 || maxWords > MAX_WORDS) {
            throw new IllegalArgumentException("maxWords must be in [1, " + MAX_WORDS + "], got " + maxWords);
        }
        if (copySlots < 0 || copySlots > MAX_COPY_SLOTS) {
            throw new IllegalArgumentException("copy slots must be in [0, " + MAX_COPY_SLOTS + "], got " + copySlots);
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) {
            for (String token : tokenizer.tokenize(text)) {
                counts.merge(token, 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        List<String> tokens = new ArrayList<>(List.of(PAD, UNK, EOS));
        for (int i = 0; i < Math.min(maxWords, entries.size()); i++) {
            String word = entries.get(i).getKey();
            if (!isCopyToken(word)) { // a text that spells "<copy:3>" must not shadow the action
                tokens.add(word);
            }
        }
        Map<CopyContext, Integer> contextCounts = new HashMap<>();
        copyContexts.forEach(c -> contextCounts.merge(c, 1, Integer::sum));
        List<Map.Entry<CopyContext, Integer>> contexts = new ArrayList<>(contextCounts.entrySet());
        contexts.sort(Map.Entry.<CopyContext, Integer>comparingByValue().reversed()
                .thenComparing(e -> e.getKey().spelled()));
        int named = Math.min(contexts.size(), (int) (copySlots * MAX_NAMED_SHARE));
        for (int c = 0; c < named; c++) {
            tokens.add(NAMED_COPY_PREFIX + contexts.get(c).getKey().spelled() + ">");
        }
        for (int c = 0; c < copySlots - named; c++) {
            tokens.add(copyToken(c));
        }
        return new Vocabulary(tokens);
    }

    /** A vocabulary of exactly {@code words} synthetic words (w0, w1, ...), for benchmarks of the reference shape. */
    public static Vocabulary synthetic(int words) {
        List<String> tokens = new ArrayList<>(List.of(PAD, UNK, EOS));
        for (int i = 0; i < words; i++) {
            tokens.add("w" + i);
        }
        return new Vocabulary(tokens);
    }

    public static Vocabulary read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() < SPECIAL_TOKENS || !lines.get(PAD_ID).equals(PAD) || !lines.get(UNK_ID).equals(UNK)
                || !lines.get(EOS_ID).equals(EOS)) {
            throw new IOException(file + " is not a qstream vocabulary: it must start with " + PAD + ", " + UNK + ", " + EOS);
        }
        if (lines.size() > SPECIAL_TOKENS + MAX_WORDS + MAX_COPY_SLOTS) {
            throw new IOException(file + " has " + (lines.size() - SPECIAL_TOKENS) + " words, over the limit of " + MAX_WORDS);
        }
        try {
            return new Vocabulary(lines);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a qstream vocabulary: " + e.getMessage(), e);
        }
    }

    public void write(Path file) throws IOException {
        Files.write(file, tokens, StandardCharsets.UTF_8);
    }

    /** Number of actions: special tokens, words and copy actions. */
    public int size() {
        return tokens.size();
    }

    /** Number of copy actions (the last ids). */
    public int copySlots() {
        return tokens.size() - firstCopy;
    }

    /** Whether {@code id} is a copy action rather than a word. */
    public boolean isCopy(int id) {
        return id >= firstCopy && id < tokens.size();
    }

    /** The copy slot of copy action {@code id}. */
    public int copySlot(int id) {
        if (!isCopy(id)) {
            throw new IllegalArgumentException(id + " is not a copy action");
        }
        return id - firstCopy;
    }

    /**
     * The copy slot of a prompt word standing in {@code context}: the context's own when the vocabulary names it, else
     * a shared slot chosen by hash.
     *
     * @throws IllegalStateException when the vocabulary has no copy slots
     */
    public int copySlotOf(CopyContext context) {
        Integer own = namedSlots.get(context);
        if (own != null) {
            return own;
        }
        if (copySlots() == 0) {
            throw new IllegalStateException("this vocabulary has no copy actions");
        }
        int named = namedSlots.size();
        int shared = copySlots() - named;
        // A vocabulary read from a file may name every slot: then unseen contexts share all of them.
        return shared > 0 ? named + Math.floorMod(context.sharedHash(), shared) : Math.floorMod(context.sharedHash(), named);
    }

    /** The action id of copy slot {@code slot}. */
    public int copyAction(int slot) {
        if (slot < 0 || slot >= copySlots()) {
            throw new IllegalArgumentException("copy slot " + slot + " is not in [0, " + copySlots() + ")");
        }
        return firstCopy + slot;
    }

    public String token(int id) {
        return tokens.get(id);
    }

    /** Id of a word, or {@link #UNK_ID} (never a copy action: a text cannot name one). */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null || id >= firstCopy ? UNK_ID : id;
    }

    /** Whether {@code token} is a word (or special token) of this vocabulary; copy actions are not words. */
    public boolean contains(String token) {
        Integer id = ids.get(token);
        return id != null && id < firstCopy;
    }

    public int[] encode(List<String> tokenList) {
        int[] out = new int[tokenList.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(tokenList.get(i));
        }
        return out;
    }

    public List<String> tokens() {
        return tokens;
    }

    public String fingerprint() {
        return fingerprint;
    }

    private static boolean isCopyToken(String token) {
        return (token.startsWith(COPY_PREFIX) || token.startsWith(NAMED_COPY_PREFIX)) && token.endsWith(">");
    }

    private static String copyToken(int slot) {
        return COPY_PREFIX + slot + ">";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
