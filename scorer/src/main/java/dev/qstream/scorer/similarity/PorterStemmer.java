package dev.qstream.scorer.similarity;

import java.util.Locale;
import java.util.Map;

/**
 * The Porter stemmer exactly as NLTK's {@code nltk.stem.porter.PorterStemmer()} behaves in its default
 * {@code NLTK_EXTENSIONS} mode (the implementation shipped, unchanged in behaviour, by NLTK 3.6 - 3.9; it is
 * what {@code rouge_score.tokenizers.DefaultTokenizer(use_stemmer=True)} instantiates).
 *
 * <p>Behaviour that deliberately mirrors NLTK (and differs from the 1980 paper / Martin Porter's C code):
 * <ul>
 *   <li>an irregular-forms pool ({@code skies -> sky}, {@code dying -> die}, {@code news -> news},
 *       {@code proceed/exceed/succeed} are invariant, ...) consulted before anything else, keyed on the word
 *       <em>as given</em> (so {@code "Sky"} is not in the pool and stems to {@code "ski"});</li>
 *   <li>words of length &lt;= 2 are returned (lower-cased) untouched;</li>
 *   <li>step 1a: a 4-letter word ending in {@code ies} becomes {@code ...ie} ({@code ties -> tie},
 *       {@code dies -> die}); otherwise {@code ies -> i};</li>
 *   <li>step 1b: {@code ied -> ie} for 4-letter words, {@code ied -> i} otherwise, before the usual rules;</li>
 *   <li>step 1c: {@code y -> i} only when preceded by a consonant that is not the first letter;</li>
 *   <li>step 2: {@code alli -> al} is tried first and re-runs step 2; {@code bli -> ble} instead of
 *       {@code abli -> able}; extra {@code fulli -> ful} and {@code logi -> log} (measure taken with the
 *       {@code l});</li>
 *   <li>the *o (cvc) condition also accepts a 2-letter vowel-consonant stem.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe; {@link #INSTANCE} may be shared freely.
 *
 * <p>Known (documented) deviation: NLTK indexes Python code points; this class indexes UTF-16 code units.
 * The two agree on every string without supplementary-plane characters (in particular on everything the
 * ROUGE tokenizer feeds it, which is {@code [a-z0-9]+}). NLTK's consonant test is recursive and raises
 * {@code RecursionError} on runs of roughly 1000 consecutive {@code y}; this implementation is iterative and
 * simply returns the stem.
 */
public final class PorterStemmer {

    /** A shared instance; the stemmer has no mutable state. */
    public static final PorterStemmer INSTANCE = new PorterStemmer();

    /** NLTK's irregular_forms table, inverted (form -> paradigm), exactly as NLTK builds {@code self.pool}. */
    private static final Map<String, String> POOL = Map.ofEntries(
            Map.entry("sky", "sky"),
            Map.entry("skies", "sky"),
            Map.entry("dying", "die"),
            Map.entry("lying", "lie"),
            Map.entry("tying", "tie"),
            Map.entry("news", "news"),
            Map.entry("innings", "inning"),
            Map.entry("inning", "inning"),
            Map.entry("outings", "outing"),
            Map.entry("outing", "outing"),
            Map.entry("cannings", "canning"),
            Map.entry("canning", "canning"),
            Map.entry("howe", "howe"),
            Map.entry("proceed", "proceed"),
            Map.entry("exceed", "exceed"),
            Map.entry("succeed", "succeed"));

    public PorterStemmer() {
    }

    /** Equivalent to NLTK's {@code stem(word)} (i.e. {@code to_lowercase=True}). */
    public String stem(String word) {
        return stem(word, true);
    }

    /** Equivalent to NLTK's {@code stem(word, to_lowercase)}. */
    public String stem(String word, boolean toLowercase) {
        String stem = toLowercase ? word.toLowerCase(Locale.ROOT) : word;
        // NLTK tests membership with the original word but returns pool[stem]; pool keys are lower case, so a
        // word that is in the pool equals its lower-cased form.
        String irregular = POOL.get(word);
        if (irregular != null) {
            return irregular;
        }
        if (word.length() <= 2) {
            return stem;
        }
        stem = step1a(stem);
        stem = step1b(stem);
        stem = step1c(stem);
        stem = step2(stem);
        stem = step3(stem);
        stem = step4(stem);
        stem = step5a(stem);
        stem = step5b(stem);
        return stem;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Letter classes and measures.

    private static boolean isVowelLetter(char c) {
        return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
    }

    /**
     * Whether {@code w.charAt(i)} is a consonant: not a/e/i/o/u, and a {@code y} is a consonant only at index 0 or
     * after a vowel. Computed left to right (NLTK's definition is recursive on the previous letter).
     */
    static boolean isConsonant(CharSequence w, int i) {
        // Walk back over the run of 'y's ending at i: the y's alternate consonant/vowel starting from the
        // letter before the run.
        int j = i;
        while (j >= 0 && w.charAt(j) == 'y') {
            j--;
        }
        if (j == i) {
            return !isVowelLetter(w.charAt(i));
        }
        // w[j+1..i] are all 'y'. The first of them (index j+1) is a consonant iff j < 0 or w[j] is not a consonant.
        boolean firstYConsonant = j < 0 || !isConsonant(w, j);
        int offset = i - (j + 1);
        return (offset % 2 == 0) == firstYConsonant;
    }

    /** Porter's m: the number of vowel-to-consonant transitions in the c/v pattern of {@code s}. */
    static int measure(CharSequence s) {
        int n = s.length();
        int m = 0;
        boolean prevConsonant = true; // value irrelevant before index 0 except through 'y' handling below
        boolean prevWasVowel = false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean cons;
            if (isVowelLetter(c)) {
                cons = false;
            } else if (c == 'y') {
                cons = i == 0 || !prevConsonant;
            } else {
                cons = true;
            }
            if (cons && prevWasVowel) {
                m++;
            }
            prevWasVowel = !cons;
            prevConsonant = cons;
        }
        return m;
    }

    private static boolean containsVowel(CharSequence s) {
        boolean prevConsonant = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean cons;
            if (isVowelLetter(c)) {
                cons = false;
            } else if (c == 'y') {
                cons = i == 0 || !prevConsonant;
            } else {
                cons = true;
            }
            if (!cons) {
                return true;
            }
            prevConsonant = cons;
        }
        return false;
    }

    /** Condition *d: ends with a double consonant. */
    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && isConsonant(w, n - 1);
    }

    /** Condition *o in NLTK mode: c-v-c with the last c not w/x/y, or (NLTK extension) a 2-letter v-c word. */
    private static boolean endsCvc(String w) {
        int n = w.length();
        if (n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)) {
            char last = w.charAt(n - 1);
            if (last != 'w' && last != 'x' && last != 'y') {
                return true;
            }
        }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1);
    }

    private static boolean positiveMeasure(String stem) {
        return measure(stem) > 0;
    }

    private static String cut(String w, int suffixLength) {
        return w.substring(0, w.length() - suffixLength);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Rule lists. A rule list is applied as NLTK's _apply_rule_list: the FIRST rule whose suffix matches decides;
    // if its condition fails, the word is returned unchanged (later rules are not tried).

    /** Condition on the stem left after removing the suffix. */
    private interface Cond {
        boolean test(String stem);
    }

    private record Rule(String suffix, String replacement, Cond cond) {
    }

    private static String applyRules(String word, Rule[] rules) {
        for (Rule r : rules) {
            if (word.endsWith(r.suffix)) {
                String stem = cut(word, r.suffix.length());
                if (r.cond == null || r.cond.test(stem)) {
                    return stem + r.replacement;
                }
                return word;
            }
        }
        return word;
    }

    private static final Cond M_GT_0 = PorterStemmer::positiveMeasure;
    private static final Cond M_GT_1 = s -> measure(s) > 1;

    private static final Rule[] STEP1A = {
        new Rule("sses", "ss", null),
        new Rule("ies", "i", null),
        new Rule("ss", "ss", null),
        new Rule("s", "", null),
    };

    private static String step1a(String w) {
        if (w.endsWith("ies") && w.length() == 4) {
            return cut(w, 3) + "ie";
        }
        return applyRules(w, STEP1A);
    }

    private static String step1b(String w) {
        if (w.endsWith("ied")) {
            return w.length() == 4 ? cut(w, 3) + "ie" : cut(w, 3) + "i";
        }
        if (w.endsWith("eed")) {
            String stem = cut(w, 3);
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String s = null;
        if (w.endsWith("ed")) {
            String cand = cut(w, 2);
            if (containsVowel(cand)) {
                s = cand;
            }
        }
        if (s == null && w.endsWith("ing")) {
            String cand = cut(w, 3);
            if (containsVowel(cand)) {
                s = cand;
            }
        }
        if (s == null) {
            return w;
        }
        // Second-stage rules on the intermediate stem, first match decides.
        if (s.endsWith("at")) {
            return s + "e";
        }
        if (s.endsWith("bl")) {
            return s + "e";
        }
        if (s.endsWith("iz")) {
            return s + "e";
        }
        if (endsDoubleConsonant(s)) {
            char last = s.charAt(s.length() - 1);
            if (last != 'l' && last != 's' && last != 'z') {
                return s.substring(0, s.length() - 1);
            }
            return s;
        }
        // ("", "e", m == 1 and *o): the empty suffix always matches.
        if (measure(s) == 1 && endsCvc(s)) {
            return s + "e";
        }
        return s;
    }

    private static String step1c(String w) {
        if (w.endsWith("y")) {
            String stem = cut(w, 1);
            if (stem.length() > 1 && isConsonant(stem, stem.length() - 1)) {
                return stem + "i";
            }
        }
        return w;
    }

    private static final Rule[] STEP2 = {
        new Rule("ational", "ate", M_GT_0),
        new Rule("tional", "tion", M_GT_0),
        new Rule("enci", "ence", M_GT_0),
        new Rule("anci", "ance", M_GT_0),
        new Rule("izer", "ize", M_GT_0),
        new Rule("bli", "ble", M_GT_0),
        new Rule("alli", "al", M_GT_0),
        new Rule("entli", "ent", M_GT_0),
        new Rule("eli", "e", M_GT_0),
        new Rule("ousli", "ous", M_GT_0),
        new Rule("ization", "ize", M_GT_0),
        new Rule("ation", "ate", M_GT_0),
        new Rule("ator", "ate", M_GT_0),
        new Rule("alism", "al", M_GT_0),
        new Rule("iveness", "ive", M_GT_0),
        new Rule("fulness", "ful", M_GT_0),
        new Rule("ousness", "ous", M_GT_0),
        new Rule("aliti", "al", M_GT_0),
        new Rule("iviti", "ive", M_GT_0),
        new Rule("biliti", "ble", M_GT_0),
        new Rule("fulli", "ful", M_GT_0),
        // "logi" -> "log": its condition is measured on the word minus "ogi" (i.e. the stem keeps the 'l').
        new Rule("logi", "log", s -> positiveMeasure(s + "l")),
    };

    private static String step2(String w) {
        if (w.endsWith("alli") && positiveMeasure(cut(w, 4))) {
            return step2(cut(w, 4) + "al");
        }
        return applyRules(w, STEP2);
    }

    private static final Rule[] STEP3 = {
        new Rule("icate", "ic", M_GT_0),
        new Rule("ative", "", M_GT_0),
        new Rule("alize", "al", M_GT_0),
        new Rule("iciti", "ic", M_GT_0),
        new Rule("ical", "ic", M_GT_0),
        new Rule("ful", "", M_GT_0),
        new Rule("ness", "", M_GT_0),
    };

    private static String step3(String w) {
        return applyRules(w, STEP3);
    }

    private static final Rule[] STEP4 = {
        new Rule("al", "", M_GT_1),
        new Rule("ance", "", M_GT_1),
        new Rule("ence", "", M_GT_1),
        new Rule("er", "", M_GT_1),
        new Rule("ic", "", M_GT_1),
        new Rule("able", "", M_GT_1),
        new Rule("ible", "", M_GT_1),
        new Rule("ant", "", M_GT_1),
        new Rule("ement", "", M_GT_1),
        new Rule("ment", "", M_GT_1),
        new Rule("ent", "", M_GT_1),
        new Rule("ion", "", s -> measure(s) > 1 && (s.endsWith("s") || s.endsWith("t"))),
        new Rule("ou", "", M_GT_1),
        new Rule("ism", "", M_GT_1),
        new Rule("ate", "", M_GT_1),
        new Rule("iti", "", M_GT_1),
        new Rule("ous", "", M_GT_1),
        new Rule("ive", "", M_GT_1),
        new Rule("ize", "", M_GT_1),
    };

    private static String step4(String w) {
        return applyRules(w, STEP4);
    }

    /** Step 5a: both (m>1) E and (m=1 and not *o) E are tried (NLTK does not use its rule list here). */
    private static String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = cut(w, 1);
            int m = measure(stem);
            if (m > 1) {
                return stem;
            }
            if (m == 1 && !endsCvc(stem)) {
                return stem;
            }
        }
        return w;
    }

    /** Step 5b: ll -> l when the measure of the word minus its final letter is > 1. */
    private static String step5b(String w) {
        if (w.endsWith("ll") && measure(cut(w, 1)) > 1) {
            return cut(w, 1);
        }
        return w;
    }
}
