package dev.qstream.scorer.stream;

/**
 * What the topology reports; the service backs it with Micrometer ({@link MicrometerScorerMetrics}), tests with
 * nothing or a recorder. Called from stream threads.
 */
public interface ScorerMetrics {

    /** An episode was scored and emitted; {@code humanDefaulted}: its reward used the default human value. */
    void episodeScored(long policyVersion, double episodeReward, int steps, boolean humanDefaulted);

    /** A repeated step was ignored. */
    void duplicateStep();

    /** Something went to the dead-letter topic, by {@code DeadLetterReason} name. */
    void deadLettered(String reason);

    /** A new, valid feedback event was accepted. */
    void feedbackReceived();

    /** A feedback id already counted arrived again and was ignored. */
    void duplicateFeedback();

    /** An episode's feedback window closed; {@code joinedEvents} events were inside it (0: default reward). */
    void windowClosed(int joinedEvents);

    /** A feedback event came after its episode's window and became a reward correction. */
    void lateFeedback();

    /** Wall-clock time minus the timestamp of the input record being processed. */
    void processingLag(long millis);

    ScorerMetrics NONE = new ScorerMetrics() {
        @Override
        public void episodeScored(long policyVersion, double episodeReward, int steps, boolean humanDefaulted) {
        }

        @Override
        public void duplicateStep() {
        }

        @Override
        public void deadLettered(String reason) {
        }

        @Override
        public void feedbackReceived() {
        }

        @Override
        public void duplicateFeedback() {
        }

        @Override
        public void windowClosed(int joinedEvents) {
        }

        @Override
        public void lateFeedback() {
        }

        @Override
        public void processingLag(long millis) {
        }
    };
}
