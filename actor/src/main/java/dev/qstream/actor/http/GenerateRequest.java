package dev.qstream.actor.http;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** Body of {@code POST /v1/generate}. Unknown fields are rejected (strict parsing). */
record GenerateRequest(String prompt, List<String> references, Integer maxTokens, String strategy, Double temperature,
                       Double epsilon) {

    @JsonCreator
    GenerateRequest(@JsonProperty("prompt") String prompt, @JsonProperty("references") List<String> references,
                    @JsonProperty("maxTokens") Integer maxTokens, @JsonProperty("strategy") String strategy,
                    @JsonProperty("temperature") Double temperature, @JsonProperty("epsilon") Double epsilon) {
        this.prompt = prompt;
        this.references = references;
        this.maxTokens = maxTokens;
        this.strategy = strategy;
        this.temperature = temperature;
        this.epsilon = epsilon;
    }
}
