package io.finetune.evaluator.retention;

import io.smallrye.config.ConfigMapping;

/** The evaluator's settings for the checkpoints topic (docs/delivery.md, "Retention"). */
@ConfigMapping(prefix = "evaluator.checkpoints")
public interface RetentionConfig {
    /**
     * Whether checkpoints nothing needs ({@link CheckpointNeeds}) are released from the compacted checkpoints topic by
     * tombstones. The default, true, is set in application.properties with its reason.
     */
    boolean compactUnneeded();
}
