package dev.qstream.actor.generation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/** Per-token meters of generation: tokens/s and the decision latency histogram. */
public final class GenerationMetrics {

    public static final GenerationMetrics NONE = new GenerationMetrics(null);

    private final Counter tokens;
    private final Timer latency;

    public GenerationMetrics(MeterRegistry registry) {
        if (registry == null) {
            this.tokens = null;
            this.latency = null;
            return;
        }
        this.tokens = Counter.builder("actor.tokens").description("tokens generated").register(registry);
        this.latency = Timer.builder("actor.token.latency").description("per-token decision latency (incl. batching wait)")
                .publishPercentiles(0.5, 0.9, 0.99).minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofSeconds(1)).register(registry);
    }

    void token(long nanos) {
        if (tokens != null) {
            tokens.increment();
            latency.record(Duration.ofNanos(nanos));
        }
    }
}
