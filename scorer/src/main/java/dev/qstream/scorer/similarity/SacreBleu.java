package dev.qstream.scorer.similarity;

import com.carrotsearch.hppc.IntArrayList;
import com.carrotsearch.hppc.LongIntHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * BLEU exactly as sacreBLEU 2.x computes it with its defaults ({@code tokenize='13a'}, {@code lowercase=False},
 * {@code smooth_method='exp'}, max n-gram order 4):
 * <ul>
 *   <li>{@link #sentenceBleu}: {@code sacrebleu.sentence_bleu(hyp, refs)} ({@code use_effective_order=True});</li>
 *   <li>{@link #corpusBleu}: {@code sacrebleu.corpus_bleu(hyps, ref_streams)} ({@code use_effective_order=False},
 *       {@code force=False}, which only affects a warning).</li>
 * </ul>
 *
 * <p>Per segment: every string is {@code rstrip()}ped and tokenized with {@link Tokenizer13a}; hypothesis n-grams
 * (n = 1..4) are clipped by the maximum count of that n-gram in any single reference; the reference length is
 * the reference length closest to the hypothesis length, ties going to the shorter one. Statistics are summed
 * over segments, then ({@code BLEU.compute_bleu}):
 * <pre>
 *   bp = 1 if sys_len &gt;= ref_len else (exp(1 - ref_len/sys_len) if sys_len &gt; 0 else 0)
 *   if no n-gram matched at all: score = 0
 *   for n = 1..4: stop at the first order with total == 0 (with effective order, BLEU then averages only
 *     the orders seen so far); if correct == 0: k += 1 and p_n = 100 / (2^k * total) ('exp' smoothing),
 *     else p_n = 100 * correct / total
 *   score = bp * exp(sum(log p_n) / order), with log(0) taken as -9999999999
 * </pre>
 *
 * <p>Empty ({@code ""}) or {@code null} references of a segment are ignored, as sacreBLEU's
 * {@code _cache_references} does (they neither match nor count for the closest length); a segment left with no
 * reference raises {@link IllegalArgumentException} (sacreBLEU: "Empty or `None` reference sentence found."), as
 * does an empty reference list, unless the caller asks {@link EmptyReferences#SCORE_ZERO} (then such a segment is
 * scored against nothing: sentence BLEU 0, and in a corpus its n-grams count with no match and reference length 0,
 * as rouge-score scores an empty reference 0). A whitespace-only reference is not empty: it counts, with length 0. For {@link #corpusBleu} every stream must
 * have as many segments as there are hypotheses (sacreBLEU silently truncates to the shortest via
 * {@code zip}; this class refuses instead).
 *
 * <p>Stateless and thread-safe.
 */
public final class SacreBleu {

    /** sacreBLEU's {@code MAX_NGRAM_ORDER}. */
    public static final int MAX_NGRAM_ORDER = 4;

    private SacreBleu() {
    }

    /** What a segment whose every reference is empty (or null) gets. */
    public enum EmptyReferences {
        /** sacreBLEU's behaviour: refuse it ("Empty or `None` reference sentence found."). */
        REFUSE,
        /** Score it against nothing: no n-gram matches, reference length 0, so its sentence BLEU is 0. */
        SCORE_ZERO
    }

    /** {@code sacrebleu.sentence_bleu(hypothesis, references).score} (0-100). */
    public static double sentenceBleu(String hypothesis, List<String> references) {
        return sentenceBleuResult(hypothesis, references).score();
    }

    /** {@code sacrebleu.sentence_bleu(hypothesis, references)} with all statistics. */
    public static BleuResult sentenceBleuResult(String hypothesis, List<String> references) {
        return sentenceBleuResult(hypothesis, references, EmptyReferences.REFUSE);
    }

    /** As {@link #sentenceBleuResult(String, List)}, with the given treatment of all-empty references. */
    public static BleuResult sentenceBleuResult(String hypothesis, List<String> references, EmptyReferences empty) {
        Objects.requireNonNull(hypothesis, "hypothesis");
        Objects.requireNonNull(references, "references");
        if (references.isEmpty()) {
            throw new IllegalArgumentException("No references provided");
        }
        long[] stats = segmentStats(hypothesis, new References(references, empty));
        return computeBleu(stats, true);
    }

    /**
     * {@code sacrebleu.corpus_bleu(hypotheses, referenceStreams)}: {@code referenceStreams.get(k).get(i)} is the
     * k-th reference of segment i.
     */
    public static BleuResult corpusBleu(List<String> hypotheses, List<List<String>> referenceStreams) {
        return corpusBleu(hypotheses, referenceStreams, EmptyReferences.REFUSE);
    }

    /** As {@link #corpusBleu(List, List)}, with the given treatment of segments whose references are all empty. */
    public static BleuResult corpusBleu(List<String> hypotheses, List<List<String>> referenceStreams, EmptyReferences empty) {
        Objects.requireNonNull(hypotheses, "hypotheses");
        Objects.requireNonNull(referenceStreams, "referenceStreams");
        if (referenceStreams.isEmpty()) {
            throw new IllegalArgumentException("No references provided");
        }
        for (List<String> stream : referenceStreams) {
            if (stream.size() != hypotheses.size()) {
                throw new IllegalArgumentException("reference stream has " + stream.size()
                        + " segments but there are " + hypotheses.size() + " hypotheses");
            }
        }
        long[] total = new long[2 + 2 * MAX_NGRAM_ORDER];
        List<String> refs = new ArrayList<>(referenceStreams.size());
        for (int i = 0; i < hypotheses.size(); i++) {
            refs.clear();
            for (List<String> stream : referenceStreams) {
                refs.add(stream.get(i));
            }
            long[] s = segmentStats(Objects.requireNonNull(hypotheses.get(i), "hypothesis"), new References(refs, empty));
            for (int k = 0; k < s.length; k++) {
                total[k] += s[k];
            }
        }
        return computeBleu(total, false);
    }

    /**
     * Corpus BLEU where each segment has its own references, as many as it has ({@code referencesPerSegment.get(i)}
     * are segment i's): sacreBLEU's {@code corpus_bleu} with reference streams padded by {@code None} for segments
     * with fewer references. Data sets like E2E NLG have a varying number of references per input.
     */
    public static BleuResult corpusBleuPerSegment(List<String> hypotheses, List<List<String>> referencesPerSegment) {
        if (hypotheses.size() != referencesPerSegment.size()) {
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses but " + referencesPerSegment.size()
                    + " reference lists");
        }
        long[] total = new long[2 + 2 * MAX_NGRAM_ORDER];
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> refs = referencesPerSegment.get(i);
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("segment " + i + " has no reference");
            }
            long[] s = segmentStats(Objects.requireNonNull(hypotheses.get(i), "hypothesis"), refs);
            for (int k = 0; k < s.length; k++) {
                total[k] += s[k];
            }
        }
        return computeBleu(total, false);
    }

    /**
     * sacreBLEU's {@code BLEU.compute_bleu} with 'exp' smoothing, from summed statistics.
     *
     * @param correct        matched n-gram counts (n = 1..4)
     * @param total          hypothesis n-gram counts (n = 1..4)
     * @param effectiveOrder sacreBLEU's {@code effective_order}
     */
    public static BleuResult computeBleu(int[] correct, int[] total, int sysLen, int refLen,
                                         boolean effectiveOrder) {
        long[] stats = new long[2 + 2 * MAX_NGRAM_ORDER];
        stats[0] = sysLen;
        stats[1] = refLen;
        for (int n = 0; n < MAX_NGRAM_ORDER; n++) {
            stats[2 + n] = correct[n];
            stats[2 + MAX_NGRAM_ORDER + n] = total[n];
        }
        return computeBleu(stats, effectiveOrder);
    }

    private static BleuResult computeBleu(long[] stats, boolean effectiveOrder) {
        int sysLen = Math.toIntExact(stats[0]);
        int refLen = Math.toIntExact(stats[1]);
        int[] correct = new int[MAX_NGRAM_ORDER];
        int[] total = new int[MAX_NGRAM_ORDER];
        boolean anyCorrect = false;
        for (int n = 0; n < MAX_NGRAM_ORDER; n++) {
            correct[n] = Math.toIntExact(stats[2 + n]);
            total[n] = Math.toIntExact(stats[2 + MAX_NGRAM_ORDER + n]);
            anyCorrect |= correct[n] != 0;
        }
        double bp;
        if (sysLen < refLen) {
            bp = sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0;
        } else {
            bp = 1.0;
        }
        double[] precisions = new double[MAX_NGRAM_ORDER];
        if (!anyCorrect) {
            return new BleuResult(0.0, correct, total, precisions, bp, sysLen, refLen);
        }
        double smoothMteval = 1.0;
        int effOrder = MAX_NGRAM_ORDER;
        for (int n = 1; n <= MAX_NGRAM_ORDER; n++) {
            if (total[n - 1] == 0) {
                break;
            }
            if (effectiveOrder) {
                effOrder = n;
            }
            if (correct[n - 1] == 0) {
                smoothMteval *= 2;
                precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
            } else {
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
            }
        }
        double logSum = 0.0;
        for (int n = 0; n < effOrder; n++) {
            logSum += myLog(precisions[n]);
        }
        double score = bp * Math.exp(logSum / effOrder);
        return new BleuResult(score, correct, total, precisions, bp, sysLen, refLen);
    }

    /** sacreBLEU's {@code utils.my_log}: {@code log(x)}, but {@code -9999999999} for 0. */
    private static double myLog(double x) {
        return x == 0.0 ? -9999999999.0 : Math.log(x);
    }

    /** [hyp_len, ref_len, correct_1..4, total_1..4] for one segment. */
    private static long[] segmentStats(String hypothesis, List<String> references) {
        return segmentStats(hypothesis, references(references));
    }

    /**
     * A segment's references tokenized and counted once: scoring many hypotheses against the same references (every
     * episode of one prompt) then costs only the hypothesis' side. {@code sentenceBleuResult(h, references(refs))}
     * equals {@code sentenceBleuResult(h, refs)}: both go through the same code.
     *
     * @throws IllegalArgumentException when {@code references} is empty or holds only empty/null references
     */
    public static References references(List<String> references) {
        Objects.requireNonNull(references, "references");
        if (references.isEmpty()) {
            throw new IllegalArgumentException("No references provided");
        }
        return new References(references, EmptyReferences.REFUSE);
    }

    /** {@code sacrebleu.sentence_bleu(hypothesis, references)} against prepared references. */
    public static BleuResult sentenceBleuResult(String hypothesis, References references) {
        Objects.requireNonNull(hypothesis, "hypothesis");
        return computeBleu(segmentStats(hypothesis, references), true);
    }

    /** {@code sacrebleu.sentence_bleu(hypothesis, references).score} against prepared references. */
    public static double sentenceBleu(String hypothesis, References references) {
        return sentenceBleuResult(hypothesis, references).score();
    }

    /**
     * Tokenized references of one segment, counted once. Every distinct reference n-gram has an id: a unigram's id is
     * its token's id, and an n-gram's id is looked up by (its (n-1)-gram prefix's id, its last token's id), packed in
     * one long. A hypothesis n-gram whose prefix is no reference n-gram cannot be one either, so the hypothesis side
     * stops extending an n-gram at the first miss. Immutable, so safe to share between threads.
     */
    public static final class References {
        private final TokenIds ids = new TokenIds();
        /** For n = 2..4 at index n - 2: (id of the (n-1)-gram prefix, id of the last token) to the n-gram's id. */
        private final LongIntHashMap[] ngramIds = new LongIntHashMap[MAX_NGRAM_ORDER - 1];
        /** For n = 1..4 at index n - 1: the n-gram's highest count in any single reference, by n-gram id. */
        private final IntArrayList[] refMax = new IntArrayList[MAX_NGRAM_ORDER];
        private final int[] lengths;

        private References(List<String> references, EmptyReferences empty) {
            for (int n = 0; n < MAX_NGRAM_ORDER; n++) {
                refMax[n] = new IntArrayList();
                if (n > 0) {
                    ngramIds[n - 1] = new LongIntHashMap();
                }
            }
            List<int[]> refTokenIds = new ArrayList<>(references.size());
            for (String ref : references) {
                // _cache_references drops undefined / empty references of a segment ...
                if (ref == null || ref.isEmpty()) {
                    continue;
                }
                refTokenIds.add(ids.intern(Tokenizer13a.tokens(PyStr.rstrip(ref))));
            }
            if (refTokenIds.isEmpty() && empty == EmptyReferences.REFUSE) {
                // ... and raises only when none is left.
                throw new IllegalArgumentException("Empty or `None` reference sentence found.");
            }
            if (refTokenIds.isEmpty()) {
                lengths = new int[] {0}; // scored against nothing: no n-gram can match
                return;
            }
            lengths = new int[refTokenIds.size()];
            refMax[0].resize(ids.size()); // unigram ids are token ids, all assigned by now (zero-filled)
            IntArrayList[] counts = new IntArrayList[MAX_NGRAM_ORDER];
            for (int n = 0; n < MAX_NGRAM_ORDER; n++) {
                counts[n] = new IntArrayList();
            }
            for (int r = 0; r < lengths.length; r++) {
                int[] ref = refTokenIds.get(r);
                lengths[r] = ref.length;
                // This reference's own counts by n-gram id, then merged into refMax by max.
                for (IntArrayList c : counts) {
                    c.clear();
                }
                for (int i = 0; i < ref.length; i++) {
                    int id = ref[i];
                    for (int n = 1; n <= MAX_NGRAM_ORDER && i + n <= ref.length; n++) {
                        if (n > 1) {
                            id = assign(ngramIds[n - 2], pack(id, ref[i + n - 1]), refMax[n - 1]);
                        }
                        increment(counts[n - 1], id);
                    }
                }
                for (int n = 0; n < MAX_NGRAM_ORDER; n++) {
                    for (int id = 0; id < counts[n].size(); id++) {
                        if (counts[n].get(id) > refMax[n].get(id)) {
                            refMax[n].set(id, counts[n].get(id));
                        }
                    }
                }
            }
        }

        /** The id of an n-gram given its key, a new one (with a max count of 0 so far) when it is new. */
        private static int assign(LongIntHashMap byKey, long key, IntArrayList max) {
            int id = byKey.getOrDefault(key, -1);
            if (id < 0) {
                id = byKey.size();
                byKey.put(key, id);
                max.add(0);
            }
            return id;
        }

        private static void increment(IntArrayList counts, int id) {
            while (counts.size() <= id) {
                counts.add(0);
            }
            counts.set(id, counts.get(id) + 1);
        }
    }

    /**
     * {@code sacrebleu.sentence_bleu(" ".join(words), references).score} against prepared references, without
     * building and re-tokenizing the joined text: the 13a tokens of words joined by single spaces are each word's
     * own tokens, one word after the other (see {@link #hypothesisTokens}); most generated words are a token as they
     * are.
     */
    public static double sentenceBleu(List<String> words, References references) {
        return computeBleu(segmentStats(ids(hypothesisTokens(words), references), references), true).score();
    }

    /**
     * The 13a tokens of {@code rstrip(" ".join(words))}, word by word. Joining with a space and tokenizing equals
     * tokenizing each word on its own: every rewriting step of 13a either matches within a word (the deleted and
     * unescaped sequences hold no space) or uses the space in front of a word as the character before a period or
     * comma ({@code ([^0-9])([\.,])}), which the word alone gets from 13a's own padding; the space after a word can
     * only be consumed as the character after one, and no rule needs it again. Only {@code rstrip} reaches across
     * words: it drops trailing words that are all whitespace and the trailing whitespace of the last word left.
     * {@code SacreBleuTest} checks this against tokenizing the joined text, on random words of 13a's special
     * characters.
     */
    static List<String> hypothesisTokens(List<String> words) {
        List<String> out = new ArrayList<>();
        int last = lastNonBlank(words);
        for (int i = 0; i <= last; i++) {
            String w = i == last ? PyStr.rstrip(words.get(i)) : words.get(i);
            if (isOneToken(w)) {
                out.add(w);
            } else {
                out.addAll(Tokenizer13a.tokens(w));
            }
        }
        return out;
    }

    /** The index of the last word with something other than whitespace, -1 if none. */
    private static int lastNonBlank(List<String> words) {
        int last = words.size() - 1;
        while (last >= 0 && PyStr.rstrip(words.get(last)).isEmpty()) {
            last--;
        }
        return last;
    }

    /**
     * Whether 13a leaves the word as one token: not empty, and only ASCII letters, digits and apostrophes, or
     * characters beyond ASCII that are not whitespace (13a's rules only touch ASCII punctuation, periods, commas,
     * dashes and the characters of {@code <skipped>}, {@code &quot;} and the line breaks).
     */
    private static boolean isOneToken(String w) {
        int n = w.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = w.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\''
                    || (c >= 0x80 && !PyStr.isSpace(c));
            if (!plain) {
                return false;
            }
        }
        return true;
    }

    private static long[] segmentStats(String hypothesis, References refs) {
        // A hypothesis token no reference has gets id -1: n-grams holding it can never match (they still count
        // towards the totals, which are just the n-gram positions).
        return segmentStats(ids(Tokenizer13a.tokens(PyStr.rstrip(hypothesis)), refs), refs);
    }

    /** Each hypothesis token's id among the references' tokens, -1 for a token no reference has. */
    private static int[] ids(List<String> tokens, References refs) {
        int[] hyp = new int[tokens.size()];
        for (int i = 0; i < hyp.length; i++) {
            hyp[i] = refs.ids.find(tokens.get(i));
        }
        return hyp;
    }

    /** The statistics of a hypothesis given as its tokens' ids among the references' (-1: in no reference). */
    private static long[] segmentStats(int[] hyp, References refs) {
        int closestDiff = -1;
        int closestLen = -1;
        for (int refLen : refs.lengths) {
            int diff = Math.abs(hyp.length - refLen);
            if (closestDiff == -1 || diff < closestDiff) {
                closestDiff = diff;
                closestLen = refLen;
            } else if (diff == closestDiff && refLen < closestLen) {
                closestLen = refLen;
            }
        }
        long[] stats = new long[2 + 2 * MAX_NGRAM_ORDER];
        stats[0] = hyp.length;
        stats[1] = closestLen;
        // Every n-gram position counts towards the totals; only n-grams that some reference has can match, so only
        // those are collected (by id, per order), then counted as runs of equal ids and clipped by the reference max.
        int[][] found = new int[MAX_NGRAM_ORDER][hyp.length];
        int[] foundCount = new int[MAX_NGRAM_ORDER];
        for (int n = 1; n <= MAX_NGRAM_ORDER; n++) {
            stats[2 + MAX_NGRAM_ORDER + n - 1] = Math.max(0, hyp.length - n + 1);
        }
        for (int i = 0; i < hyp.length; i++) {
            int id = hyp[i];
            for (int n = 1; n <= MAX_NGRAM_ORDER && id >= 0; n++) {
                found[n - 1][foundCount[n - 1]++] = id;
                if (n == MAX_NGRAM_ORDER || i + n >= hyp.length || hyp[i + n] < 0) {
                    break;
                }
                id = refs.ngramIds[n - 1].getOrDefault(pack(id, hyp[i + n]), -1);
            }
        }
        for (int n = 0; n < MAX_NGRAM_ORDER; n++) {
            int[] g = found[n];
            int count = foundCount[n];
            Arrays.sort(g, 0, count);
            for (int i = 0; i < count; ) {
                int j = i;
                while (j < count && g[j] == g[i]) {
                    j++;
                }
                stats[2 + n] += Math.min(j - i, refs.refMax[n].get(g[i]));
                i = j;
            }
        }
        return stats;
    }

    private static long pack(int prefixId, int tokenId) {
        return ((long) prefixId << 32) | (tokenId & 0xffffffffL);
    }
}
