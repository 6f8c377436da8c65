package dev.qstream.scorer.similarity;

import java.util.ArrayList;
import java.util.List;

/** Python {@code str} whitespace semantics ({@code str.isspace}, {@code split()}, {@code rstrip()}). */
final class PyStr {

    private PyStr() {
    }

    /**
     * CPython's {@code str.isspace()} (identical for Python 3.8 - 3.13): U+0009..U+000D, U+001C..U+001F, U+0020,
     * U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. Unlike
     * {@link Character#isWhitespace}, this includes the no-break spaces U+00A0, U+2007, U+202F and U+0085.
     */
    static boolean isSpace(char c) {
        if (c <= 0x20) {
            return c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
        }
        if (c < 0x85) {
            return false;
        }
        return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
                || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** {@code s.split()} with no argument: maximal runs of non-whitespace. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    /** {@code s.rstrip()} with no argument. */
    static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}
