package dev.qstream.scorer.stream;

import dev.qstream.schemas.avro.Prompt;
import dev.qstream.scorer.reward.RewardComposer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each prompt's references made ready for scoring (tokenized, sacreBLEU's reference statistics), kept for every
 * task of a scorer instance: a task sees the same few prompts again and again, and so do its sibling tasks, so
 * preparing them once per instance rather than once per task saves most of the work when tasks are many (in
 * {@code bench scorer}, 4 tasks × 200 prompts took 3–4% of the stream thread). Thread-safe (stream threads share
 * it); the prepared values are immutable.
 */
final class PreparedReferences {

    /** Prompts whose prepared references are kept. */
    static final int CAPACITY = 4096;

    private final RewardComposer composer;
    private final Map<String, RewardComposer.References> byPrompt = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RewardComposer.References> eldest) {
            return size() > CAPACITY;
        }
    };

    PreparedReferences(RewardComposer composer) {
        this.composer = composer;
    }

    /** The prompt's references, prepared once; a prompt updated with other references is prepared again. */
    RewardComposer.References of(Prompt prompt) {
        synchronized (byPrompt) {
            RewardComposer.References refs = byPrompt.get(prompt.getPromptId());
            if (refs != null && refs.texts().equals(prompt.getReferences())) {
                return refs;
            }
        }
        RewardComposer.References fresh = composer.prepare(prompt.getReferences()); // outside the lock: it takes a while
        synchronized (byPrompt) {
            byPrompt.put(prompt.getPromptId(), fresh);
        }
        return fresh;
    }
}
