package dev.qstream.policy.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The copy actions of one prompt: which copy action each of its words answers to, and which word a copy action
 * emits. A word's copy slot comes from where it stands in the prompt ({@link CopyContext}), not from the word itself:
 * the context's own slot when the vocabulary names it, else one shared by hash ({@link Vocabulary#copySlotOf}). In
 * {@code name[Alimentum], near[Burger King]} the first word after {@code name [} answers to one slot whatever the
 * name, so a policy that learned when to say that slot's word says names it never saw in training.
 *
 * <p>Only words (tokens starting with a letter or digit) among the first {@code maxPositions} prompt tokens are
 * copyable. Two positions may share a slot; the action then emits the first of them (in prompt order) not yet
 * emitted, so both can be said in turn.
 *
 * <p>Words have ids ({@link #wordId}) so that a decoder can compare what a copy action would say with what a
 * vocabulary action says: the vocabulary's id for a word it knows, else a negative id that stands for that word
 * within this prompt.
 */
public final class PromptCopies {

    /** {@link #nextWordIds}: every word of the action's slot has been said. */
    public static final int SAID = Integer.MIN_VALUE;

    private final Vocabulary vocabulary;
    private final List<String> tokens;
    private final int[] slotOfPosition; // -1: not copyable
    private final int[] actions;
    private final int[] actionIndexOfPosition; // index into actions of each position's copy action, -1: none
    private final int[] earlierInSlot;         // positions before this one in its slot holding the same word
    private final int[] wordIdOfPosition;      // wordId(tokens[j]), computed once

    private PromptCopies(Vocabulary vocabulary, List<String> tokens, int[] slotOfPosition) {
        this.vocabulary = vocabulary;
        this.tokens = tokens;
        this.slotOfPosition = slotOfPosition;
        this.actions = Arrays.stream(slotOfPosition).filter(s -> s >= 0).distinct().sorted()
                .map(vocabulary::copyAction).toArray();
        this.actionIndexOfPosition = new int[slotOfPosition.length];
        this.earlierInSlot = new int[slotOfPosition.length];
        this.wordIdOfPosition = new int[slotOfPosition.length];
        for (int j = 0; j < slotOfPosition.length; j++) {
            wordIdOfPosition[j] = wordId(tokens.get(j));
            actionIndexOfPosition[j] = slotOfPosition[j] < 0 ? -1
                    : Arrays.binarySearch(actions, vocabulary.copyAction(slotOfPosition[j]));
            for (int i = 0; i < j; i++) {
                if (slotOfPosition[i] == slotOfPosition[j] && slotOfPosition[j] >= 0 && tokens.get(i).equals(tokens.get(j))) {
                    earlierInSlot[j]++;
                }
            }
        }
    }

    /** The copy actions of a tokenized prompt; none when the vocabulary has no copy slots. */
    public static PromptCopies of(List<String> promptTokens, Vocabulary vocabulary, int maxPositions) {
        List<String> tokens = List.copyOf(promptTokens.subList(0, Math.min(maxPositions, promptTokens.size())));
        int[] slots = new int[tokens.size()];
        Arrays.fill(slots, -1);
        if (vocabulary.copySlots() > 0) {
            List<CopyContext> contexts = CopyContext.of(tokens);
            for (int j = 0; j < tokens.size(); j++) {
                if (contexts.get(j) != null) {
                    slots[j] = vocabulary.copySlotOf(contexts.get(j));
                }
            }
        }
        return new PromptCopies(vocabulary, tokens, slots);
    }

    /**
     * The id of a word as a decoder compares words: the vocabulary's id when it knows the word, else {@code -2 − i}
     * where i is the word's first position in the prompt (−1 is never used), else {@link #SAID}'s neighbour
     * {@code SAID + 1} for a word neither knows (one a copy action can never say).
     */
    public int wordId(String word) {
        if (vocabulary.contains(word)) {
            return vocabulary.id(word);
        }
        int i = tokens.indexOf(word);
        return i >= 0 ? -2 - i : SAID + 1;
    }

    /**
     * The word each copy action would say after {@code emitted}, as a {@link #wordId}, in {@link #actions()} order;
     * {@link #SAID} for an action every word of whose slot has been said (as often as the slot holds it), so a decoder
     * can keep a prompt position from being copied twice.
     */
    public int[] nextWordIds(List<String> emitted) {
        Map<String, Integer> left = new HashMap<>();
        for (String w : emitted) {
            left.merge(w, 1, Integer::sum);
        }
        int[] out = new int[actions.length];
        Arrays.fill(out, SAID);
        // A slot's position j is still owed when its word was said no more often than it stands earlier in the slot.
        for (int j = 0; j < slotOfPosition.length; j++) {
            int k = actionIndexOfPosition[j];
            if (k >= 0 && out[k] == SAID && left.getOrDefault(tokens.get(j), 0) <= earlierInSlot[j]) {
                out[k] = wordIdOfPosition[j];
            }
        }
        return out;
    }

    /** The distinct copy action ids this prompt offers, ascending. */
    public int[] actions() {
        return actions.clone();
    }

    /**
     * The word copy action {@code action} emits after {@code emitted} (the words generated so far): the first prompt
     * word of its slot that has not been emitted yet, else the first word of its slot.
     *
     * @throws IllegalArgumentException when the prompt offers no such copy action
     */
    public String word(int action, List<String> emitted) {
        int slot = vocabulary.copySlot(action);
        List<String> candidates = new ArrayList<>();
        for (int j = 0; j < slotOfPosition.length; j++) {
            if (slotOfPosition[j] == slot) {
                candidates.add(tokens.get(j));
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("copy action " + action + " copies nothing from this prompt");
        }
        List<String> left = new ArrayList<>(emitted);
        for (String c : candidates) {
            if (!left.remove(c)) {
                return c;
            }
        }
        return candidates.get(0);
    }

}
