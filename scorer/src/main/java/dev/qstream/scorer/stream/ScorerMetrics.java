package dev.qstream.scorer.stream;

/** What the topology reports; the service backs it with Micrometer, tests with nothing or a recorder. */
public interface ScorerMetrics {

    void episodeScored(long policyVersion, double episodeReward, int steps);

    void duplicateStep();

    void deadLettered(String reason);

    ScorerMetrics NONE = new ScorerMetrics() {
        @Override
        public void episodeScored(long policyVersion, double episodeReward, int steps) {
        }

        @Override
        public void duplicateStep() {
        }

        @Override
        public void deadLettered(String reason) {
        }
    };
}
