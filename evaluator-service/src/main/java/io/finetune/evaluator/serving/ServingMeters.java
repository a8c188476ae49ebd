package io.finetune.evaluator.serving;

import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Prediction;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * Serving's Prometheus view (names start with {@code finetune_serving_}): answers per deployment, dead letters per
 * reason, each request's latency from its record timestamp to its answer, and the size and duration of batches.
 * Counted once a batch's sends are acknowledged, so a batch answered again after a failed send counts twice, as it
 * was answered twice.
 */
@ApplicationScoped
public class ServingMeters {
    private final MeterRegistry registry;
    private final Timer latency;
    private final Timer batchDuration;
    private final DistributionSummary batchSize;

    public ServingMeters(MeterRegistry registry) {
        this.registry = registry;
        this.latency = Timer.builder("finetune.serving.latency")
                .description("From a request's record timestamp to its prediction, queueing included")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.batchDuration = Timer.builder("finetune.serving.batch.duration")
                .description("One poll's requests: checks, model calls and acknowledged sends")
                .register(registry);
        this.batchSize = DistributionSummary.builder("finetune.serving.batch.size")
                .description("Requests taken in one poll").register(registry);
    }

    public void answered(RequestBatch.Outcome outcome, int requests, Duration took) {
        batchSize.record(requests);
        batchDuration.record(took);
        for (Prediction p : outcome.predictions()) {
            Counter.builder("finetune.serving.predictions").description("Requests answered, by deployment")
                    .tag("deployment", p.deployment()).register(registry).increment();
            latency.record(Duration.ofMillis(p.timings().queuedMs() + p.timings().inferenceMs()));
        }
        for (DeadLetter letter : outcome.deadLetters()) {
            Counter.builder("finetune.serving.dead_letters").description("Requests refused, by reason")
                    .tag("reason", letter.reason()).register(registry).increment();
        }
    }
}
