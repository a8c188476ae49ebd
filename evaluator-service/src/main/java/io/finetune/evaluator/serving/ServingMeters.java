package io.finetune.evaluator.serving;

import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Prediction;
import io.finetune.contracts.ShardManifest;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.EvaluationStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Serving's Prometheus view (names start with {@code finetune_serving_}): answers per deployment and predicted label,
 * dead letters per reason, each request's latency from its record timestamp to its answer, the size and duration of
 * batches, and what each deployment serves ({@link DeployedModelGauges}: its checkpoint, and the label shares of that
 * checkpoint's dataset, against which the predicted shares show drift). Counted once a batch's sends are
 * acknowledged, so a batch answered again after a failed send counts twice, as it was answered twice.
 */
@ApplicationScoped
public class ServingMeters {
    private final MeterRegistry registry;
    private final Timer latency;
    private final Timer batchDuration;
    private final DistributionSummary batchSize;
    private final DeployedModelGauges deployed;

    @Inject
    public ServingMeters(MeterRegistry registry, EvaluationStore evaluations) {
        this(registry, checkpoint -> evaluations.get(checkpoint).map(EvaluatedCheckpoint::data));
    }

    /** @param dataOf a checkpoint's dataset build as evaluated, empty when none is on record */
    ServingMeters(MeterRegistry registry, Function<String, Optional<ShardManifest>> dataOf) {
        this.registry = registry;
        this.deployed = new DeployedModelGauges(registry, dataOf);
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
            Counter.builder("finetune.serving.predictions")
                    .description("Requests answered, by deployment and predicted label")
                    .tag("deployment", p.deployment()).tag("label", p.label()).register(registry).increment();
            latency.record(Duration.ofMillis(p.timings().queuedMs() + p.timings().inferenceMs()));
        }
        for (DeadLetter letter : outcome.deadLetters()) {
            Counter.builder("finetune.serving.dead_letters").description("Requests refused, by reason")
                    .tag("reason", letter.reason()).register(registry).increment();
        }
    }

    /**
     * A correction recorded: by deployment, the label a person gave, and whether the model's prediction was
     * {@code wrong} or {@code right} by it, or {@code unknown} when the caller did not say what was predicted.
     */
    public void corrected(String deployment, String label, String predicted) {
        Counter.builder("finetune.serving.corrections")
                .description("Corrections of predictions sent back as labeled records, by deployment, given label and"
                        + " whether the prediction was wrong")
                .tag("deployment", deployment).tag("label", label)
                .tag("prediction", predicted == null ? "unknown" : predicted.equals(label) ? "right" : "wrong")
                .register(registry).increment();
    }

    /**
     * Shows the checkpoint each deployment serves (and its dataset's label shares); the serving loop calls it between
     * batches, so a change shows within a poll.
     */
    public void deployments(List<? extends ServedDeployment> deployments) {
        deployed.show(deployments);
    }
}
