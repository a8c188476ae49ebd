package io.finetune.evaluator.serving;

import io.finetune.contracts.KafkaAccess;
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

    /**
     * The serving producer's transactional id. One per process: a second process with the same id fences the first.
     * The evaluator keeps the default; each serving replica sets its own, starting with
     * {@code evaluator-serving-} (the ACL's prefix), such as its StatefulSet pod name ({@link ServingRole}).
     */
    @WithDefault(KafkaAccess.SERVING_TRANSACTIONAL_ID)
    String transactionalId();

    /** Wait before retrying a batch whose predictions Kafka did not acknowledge. */
    @WithDefault("5s")
    Duration retryBackoff();
}
