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
 * in lexical order), so building from the same corpus always gives the same ids. The fingerprint (SHA-256 of the
 * token list) travels in every model's header so that an actor never serves weights trained for another vocabulary.
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

    private final List<String> tokens;
    private final Map<String, Integer> ids;
    private final String fingerprint;

    private Vocabulary(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        this.ids = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < tokens.size(); i++) {
            if (ids.put(tokens.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate token in vocabulary: '" + tokens.get(i) + "'");
            }
        }
        this.fingerprint = sha256(String.join("\n", tokens));
    }

    /** Builds from texts: every distinct token, the most frequent first, at most {@code maxWords}. */
    public static Vocabulary build(Collection<String> texts, Tokenizer tokenizer, int maxWords) {
        if (maxWords < 1 || maxWords > MAX_WORDS) {
            throw new IllegalArgumentException("maxWords must be in [1, " + MAX_WORDS + "], got " + maxWords);
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
            tokens.add(entries.get(i).getKey());
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
        if (lines.size() > SPECIAL_TOKENS + MAX_WORDS) {
            throw new IOException(file + " has " + (lines.size() - SPECIAL_TOKENS) + " words, over the limit of " + MAX_WORDS);
        }
        return new Vocabulary(lines);
    }

    public void write(Path file) throws IOException {
        Files.write(file, tokens, StandardCharsets.UTF_8);
    }

    public int size() {
        return tokens.size();
    }

    public String token(int id) {
        return tokens.get(id);
    }

    /** Id of a token, or {@link #UNK_ID}. */
    public int id(String token) {
        return ids.getOrDefault(token, UNK_ID);
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
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

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
