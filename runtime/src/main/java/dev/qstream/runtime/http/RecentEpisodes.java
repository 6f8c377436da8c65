package dev.qstream.runtime.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The texts of episodes produced recently (bounded, oldest forgotten first): lets a feedback endpoint check that an
 * episode id is one the deployment really produced, and compare an edit with what was generated. The actor keeps
 * its own episodes; the ops dashboard every episode it sees on the generations topic.
 */
public final class RecentEpisodes {

    private final Map<UUID, String> texts;

    public RecentEpisodes(int capacity) {
        this.texts = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, String> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized void remember(UUID episode, String text) {
        texts.put(episode, text);
    }

    /** The generated text, or null when the episode is unknown (never seen, or forgotten). */
    public synchronized String text(UUID episode) {
        return texts.get(episode);
    }
}
