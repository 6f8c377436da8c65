package dev.qstream.actor.generation;

import dev.qstream.schemas.avro.EndReason;

import java.util.List;
import java.util.UUID;

/**
 * A finished episode as the caller sees it.
 *
 * @param firstVersion the model version of the first step
 * @param lastVersion  the model version of the last step (differs when a swap happened mid-episode)
 */
public record GenerationResult(UUID episodeId, String text, List<String> tokens, long firstVersion, long lastVersion,
                               EndReason endReason) {
}
