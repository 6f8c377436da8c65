package dev.qstream.actor.http;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Body of {@code POST /v1/feedback}: the episode and exactly one of {@code rating} (1–5), {@code thumbs}
 * ("up"/"down" or true/false) or {@code edit} (the corrected text), plus an optional {@code source}.
 */
record FeedbackRequest(String episodeId, Integer rating, JsonNode thumbs, String edit, String source) {

    @JsonCreator
    FeedbackRequest(@JsonProperty("episodeId") String episodeId, @JsonProperty("rating") Integer rating,
                    @JsonProperty("thumbs") JsonNode thumbs, @JsonProperty("edit") String edit,
                    @JsonProperty("source") String source) {
        this.episodeId = episodeId;
        this.rating = rating;
        this.thumbs = thumbs;
        this.edit = edit;
        this.source = source;
    }
}
