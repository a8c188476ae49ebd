package io.finetune.evaluator.serving;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Serving deployments from the inference requests topic (docs/serving.md). */
@ConfigMapping(prefix = "serving")
public interface ServingConfig {
    /** Whether this evaluator answers inference requests at all. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Most requests taken per poll and answered together. Bigger batches use a GPU better; every request in a batch
     * waits for the whole batch, so this bounds latency too.
     */
    @WithDefault("64")
    int maxBatch();

    /** The deployment that answers requests naming none; unset, such requests become dead letters. */
    Optional<String> defaultDeployment();

    /** Wait before retrying a batch whose predictions Kafka did not acknowledge. */
    @WithDefault("5s")
    Duration retryBackoff();
}
