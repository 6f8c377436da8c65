package dev.qstream.actor.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The texts of the episodes this actor produced recently (bounded, oldest forgotten first): lets feedback be checked
 * against episodes the deployment really produced, and edits be compared with what was generated.
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

    /** The generated text, or null when this actor does not know the episode. */
    public synchronized String text(UUID episode) {
        return texts.get(episode);
    }
}
