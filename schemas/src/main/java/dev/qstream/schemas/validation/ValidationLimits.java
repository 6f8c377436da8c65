package dev.qstream.schemas.validation;

/**
 * Size and range limits every service applies to what it reads, so that one oversized or out-of-range record is
 * dead-lettered instead of exhausting memory or corrupting training.
 *
 * @param vocabularySize      token ids must be in [0, vocabularySize); 0 disables the check (a consumer that does not
 *                            know the vocabulary)
 * @param maxPromptChars      longest prompt text accepted
 * @param maxReferences       most references a prompt may carry
 * @param maxReferenceChars   longest single reference
 * @param maxFeedbackChars    longest edited text or source in feedback
 * @param maxTokens           most tokens in a state (prompt tokens + prefix) or episode
 * @param maxIdChars          longest id (prompt id, actor id, source)
 */
public record ValidationLimits(int vocabularySize, int maxPromptChars, int maxReferences, int maxReferenceChars,
                               int maxFeedbackChars, int maxTokens, int maxIdChars) {

    public static final int DEFAULT_MAX_PROMPT_CHARS = 8_192;
    /** Human-written data sets carry many references per input (E2E NLG: up to 43). */
    public static final int DEFAULT_MAX_REFERENCES = 128;
    public static final int DEFAULT_MAX_REFERENCE_CHARS = 8_192;
    public static final int DEFAULT_MAX_FEEDBACK_CHARS = 8_192;
    public static final int DEFAULT_MAX_TOKENS = 1_024;
    public static final int DEFAULT_MAX_ID_CHARS = 256;

    public ValidationLimits {
        if (vocabularySize < 0 || maxPromptChars < 1 || maxReferences < 0 || maxReferenceChars < 1
                || maxFeedbackChars < 1 || maxTokens < 1 || maxIdChars < 1) {
            throw new IllegalArgumentException("validation limits must be positive: " + this);
        }
    }

    /** Defaults for a consumer that does not check token ids against a vocabulary. */
    public static ValidationLimits defaults() {
        return withVocabulary(0);
    }

    public static ValidationLimits withVocabulary(int vocabularySize) {
        return new ValidationLimits(vocabularySize, DEFAULT_MAX_PROMPT_CHARS, DEFAULT_MAX_REFERENCES,
                DEFAULT_MAX_REFERENCE_CHARS, DEFAULT_MAX_FEEDBACK_CHARS, DEFAULT_MAX_TOKENS, DEFAULT_MAX_ID_CHARS);
    }
}
