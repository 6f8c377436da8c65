package dev.qstream.learner.ratelimit;

import org.junit.jupiter.api.Test;

import static dev.qstream.learner.ratelimit.RateLimiter.Decision.SAMPLE;
import static dev.qstream.learner.ratelimit.RateLimiter.Decision.WAIT_FOR_DATA;
import static dev.qstream.learner.ratelimit.RateLimiter.Decision.WAIT_FOR_MINIMUM;
import static org.assertj.core.api.Assertions.assertThat;

class RateLimiterTest {

    @Test
    void waitsForTheMinimumThenHoldsTheRatioWithinTheTolerance() {
        RateLimiter limiter = new RateLimiter(100, 4, 64, 0);
        assertThat(limiter.decide(99, 99, 0, 32)).isEqualTo(WAIT_FOR_MINIMUM);
        // 100 inserted × 4 = 400 samples allowed, + 64 tolerance
        assertThat(limiter.decide(100, 100, 400, 32)).isEqualTo(SAMPLE);       // 432 ≤ 464
        assertThat(limiter.decide(100, 100, 432, 32)).isEqualTo(SAMPLE);       // 464 ≤ 464
        assertThat(limiter.decide(100, 100, 433, 32)).isEqualTo(WAIT_FOR_DATA); // 465 > 464
        assertThat(limiter.decide(100, 110, 433, 32)).isEqualTo(SAMPLE);       // more data arrived
        assertThat(limiter.behind(110, 433)).isEqualTo(7.0);
    }

    @Test
    void pausesIngestionWhenFarBehindAndResumesAtHalfTheThreshold() {
        RateLimiter limiter = new RateLimiter(1, 1, 0, 1000);
        assertThat(limiter.shouldPause(1000, 0, false)).isFalse();   // owes exactly 1000
        assertThat(limiter.shouldPause(1001, 0, false)).isTrue();
        assertThat(limiter.shouldPause(1001, 400, true)).isTrue();   // owes 601 > 500: stay paused
        assertThat(limiter.shouldPause(1001, 600, true)).isFalse();  // owes 401: resume
        assertThat(new RateLimiter(1, 1, 0, 0).shouldPause(1_000_000, 0, false)).isFalse();
    }
}
