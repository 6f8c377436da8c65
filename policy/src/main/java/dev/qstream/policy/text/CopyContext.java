package dev.qstream.policy.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where a prompt word stands, as its copy action sees it: the token before the nearest punctuation mark on its left
 * (the segment's key, {@code <s>} at the start), that mark, and the word's offset after it. In
 * {@code name[Alimentum], near[Burger King]} "burger" stands at (near, [, 0) and "king" at (near, [, 1), whatever the
 * names: a policy that learned when to say (near, [, 0) says names it never saw. Reads only tokens and which of them
 * are punctuation; nothing here knows a task.
 *
 * @param key       the token before the mark
 * @param delimiter the mark
 * @param offset    the word's position after the mark, from 0
 */
public record CopyContext(String key, String delimiter, int offset) {

    private static final String START = "<s>";

    /** The context of each token of a tokenized prompt, null for punctuation (which is never copied). */
    public static List<CopyContext> of(List<String> tokens) {
        List<CopyContext> out = new ArrayList<>(tokens.size());
        int mark = -1; // index of the nearest punctuation mark on the left
        for (int j = 0; j < tokens.size(); j++) {
            if (!isWord(tokens.get(j))) {
                mark = j;
                out.add(null);
                continue;
            }
            out.add(new CopyContext(mark >= 1 ? tokens.get(mark - 1) : START, mark >= 0 ? tokens.get(mark) : START, j - mark - 1));
        }
        return Collections.unmodifiableList(out);
    }

    /** Whether a token is a word (starts with a letter or digit), so copyable. */
    static boolean isWord(String token) {
        return !token.isEmpty() && Character.isLetterOrDigit(token.codePointAt(0));
    }

    /** The hash that places a context among the shared copy slots; String.hashCode is fixed by the JLS. */
    int sharedHash() {
        return (key + '\u0000' + delimiter + '\u0000' + offset).hashCode();
    }

    /** As a vocabulary line names it: tokens hold no whitespace, so spaces separate the parts. */
    String spelled() {
        return key + ' ' + delimiter + ' ' + offset;
    }

    /** The inverse of {@link #spelled}, or null when {@code text} is not one. */
    static CopyContext parse(String text) {
        int last = text.lastIndexOf(' ');
        int middle = last > 0 ? text.lastIndexOf(' ', last - 1) : -1;
        if (middle <= 0) {
            return null;
        }
        try {
            int offset = Integer.parseInt(text.substring(last + 1));
            return offset < 0 ? null : new CopyContext(text.substring(0, middle), text.substring(middle + 1, last), offset);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
