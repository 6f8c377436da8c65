package dev.qstream.scorer.similarity;

import java.util.Arrays;
import java.util.List;

/**
 * Per-pair interning of tokens to dense {@code int} ids (0, 1, 2, ... in first-seen order), with an
 * open-addressing table (no boxing, no per-entry nodes). Not thread-safe while it interns: create one per scoring
 * call, or intern once and afterwards only {@link #find} (prepared references shared by threads).
 */
final class TokenIds {

    private String[] keys;
    /** Each key's spread hash: a probe compares it first and only reads a key's characters when it matches. */
    private int[] hashes;
    private int[] vals;
    private int mask;
    private int size;

    TokenIds() {
        this(32);
    }

    /** @param expectedTokens a hint: total number of tokens that will be interned */
    TokenIds(int expectedTokens) {
        int cap = Integer.highestOneBit(Math.max(16, expectedTokens * 2 - 1)) << 1;
        keys = new String[cap];
        hashes = new int[cap];
        vals = new int[cap];
        mask = cap - 1;
    }

    int[] intern(List<String> tokens) {
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(tokens.get(i));
        }
        return out;
    }

    /** The id of a token already interned, or -1; never adds one. */
    int find(String token) {
        int h = spread(token.hashCode());
        int slot = h & mask;
        for (String k = keys[slot]; k != null; k = keys[slot]) {
            if (hashes[slot] == h && k.equals(token)) {
                return vals[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    int id(String token) {
        int h = spread(token.hashCode());
        int slot = h & mask;
        while (true) {
            String k = keys[slot];
            if (k == null) {
                break;
            }
            if (hashes[slot] == h && k.equals(token)) {
                return vals[slot];
            }
            slot = (slot + 1) & mask;
        }
        int id = size++;
        keys[slot] = token;
        hashes[slot] = h;
        vals[slot] = id;
        if (size * 2 > keys.length) {
            grow();
        }
        return id;
    }

    private void grow() {
        String[] oldK = keys;
        int[] oldH = hashes;
        int[] oldV = vals;
        keys = new String[oldK.length * 2];
        hashes = new int[oldK.length * 2];
        vals = new int[oldK.length * 2];
        mask = keys.length - 1;
        for (int i = 0; i < oldK.length; i++) {
            if (oldK[i] != null) {
                int slot = oldH[i] & mask;
                while (keys[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldK[i];
                hashes[slot] = oldH[i];
                vals[slot] = oldV[i];
            }
        }
    }

    int size() {
        return size;
    }

    static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }

    /**
     * Allocation-light tokenizer + interner for the unstemmed rouge-score tokenizer: scans the text once,
     * builds token characters into a buffer and interns each token span through an open-addressing table,
     * without creating a {@code String} per token. Produces exactly the ids that
     * {@code new TokenIds().intern(RougeTokenizer.tokenize(text, false))} would (same tokens, same first-seen
     * order). Intended for one (reference, candidate) pair.
     */
    static final class Fast {
        /** ASCII -> token char (lower-cased letter or digit), 0 for separators. */
        private static final char[] ASCII = new char[128];

        static {
            for (char c = 'a'; c <= 'z'; c++) {
                ASCII[c] = c;
                ASCII[c - 'a' + 'A'] = c;
            }
            for (char c = '0'; c <= '9'; c++) {
                ASCII[c] = c;
            }
        }

        private char[] buf;
        private int bufLen;
        private int[] idStart;
        private int[] idLen;
        private int nIds;
        private int[] table; // holds id + 1, 0 = empty
        private int mask;

        /** @param totalChars total length of the texts that will be tokenized (a sizing hint) */
        Fast(int totalChars) {
            buf = new char[Math.max(16, totalChars)];
            // Typical prose has a token every ~6 characters; distinct tokens are fewer. Grows on demand.
            idStart = new int[Math.max(8, Math.min(totalChars / 6 + 8, 1024))];
            idLen = new int[idStart.length];
            int cap = Integer.highestOneBit(Math.max(16, idStart.length * 2 - 1)) << 1;
            table = new int[cap];
            mask = cap - 1;
        }

        int size() {
            return nIds;
        }

        /** Tokenizes {@code text}; returns its token ids (the array may be longer than {@code countOut[0]}). */
        int[] tokenize(String text, int[] countOut) {
            int n = text.length();
            if (buf.length - bufLen < n) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, bufLen + n));
            }
            char[] b = buf;
            // A token needs one char and (except after U+0130) a separator or the end of the text.
            int[] out = new int[n / 2 + 1];
            int count = 0;
            int len = bufLen;
            int i = 0;
            while (i < n) {
                // skip separators
                char m = 0;
                while (i < n) {
                    char c = text.charAt(i);
                    m = c < 128 ? ASCII[c] : nonAscii(c);
                    if (m != 0) {
                        break;
                    }
                    i++;
                }
                if (i >= n) {
                    break;
                }
                // one token: [a-z0-9] run (after lower-casing)
                int start = len;
                int h = 0;
                boolean dotted = false;
                while (true) {
                    b[len++] = m;
                    h = 31 * h + m;
                    if (text.charAt(i) == '\u0130') { // lower() -> "i" + U+0307: the token ends here
                        dotted = true;
                    }
                    i++;
                    if (dotted || i >= n) {
                        break;
                    }
                    char c = text.charAt(i);
                    m = c < 128 ? ASCII[c] : nonAscii(c);
                    if (m == 0) {
                        break;
                    }
                }
                if (count == out.length) {
                    out = Arrays.copyOf(out, out.length * 2 + 1);
                }
                int id = internSpan(b, start, len - start, h);
                if (id >= 0) {
                    out[count++] = id;
                } else {
                    out[count++] = -id - 1;
                    len = start; // duplicate: drop its characters
                }
            }
            bufLen = len;
            countOut[0] = count;
            return out;
        }

        /** U+212A KELVIN SIGN lower-cases to 'k', U+0130 to 'i' (+ a separator); all else is a separator. */
        private static char nonAscii(char c) {
            if (c == '\u212A') {
                return 'k';
            }
            return c == '\u0130' ? 'i' : 0;
        }

        /** Returns the new id, or {@code -(existingId) - 1} if the span is already known. */
        private int internSpan(char[] b, int start, int len, int h) {
            int slot = spread(h) & mask;
            while (true) {
                int e = table[slot];
                if (e == 0) {
                    break;
                }
                int id = e - 1;
                if (idLen[id] == len && sameChars(b, idStart[id], start, len)) {
                    return -id - 1;
                }
                slot = (slot + 1) & mask;
            }
            int id = nIds++;
            if (id == idStart.length) {
                idStart = Arrays.copyOf(idStart, id * 2);
                idLen = Arrays.copyOf(idLen, id * 2);
            }
            idStart[id] = start;
            idLen[id] = len;
            table[slot] = id + 1;
            if (nIds * 2 > table.length) {
                rehash(b);
            }
            return id;
        }

        private static boolean sameChars(char[] b, int x, int y, int len) {
            for (int k = 0; k < len; k++) {
                if (b[x + k] != b[y + k]) {
                    return false;
                }
            }
            return true;
        }

        private void rehash(char[] b) {
            table = new int[table.length * 2];
            mask = table.length - 1;
            for (int id = 0; id < nIds; id++) {
                int h = 0;
                for (int k = idStart[id], end = k + idLen[id]; k < end; k++) {
                    h = 31 * h + b[k];
                }
                int slot = spread(h) & mask;
                while (table[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = id + 1;
            }
        }
    }
}
