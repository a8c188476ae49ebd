package io.finetune.contracts;

import java.util.List;

/**
 * Describes a checkpoint; stored as {@code checkpoint.json} inside its archive so the model directory and what it
 * is travel together.
 *
 * @param build           the dataset build (shard manifest) the model was trained on
 * @param history         validation metrics after each epoch so far, for loss curves
 */
public record CheckpointInfo(int v, String jobId, String checkpointId, String dataset, String build,
                             String baseModel, int epoch, long step, boolean last, Double trainLoss,
                             Double validationLoss, Double validationAccuracy, Hyperparameters hyperparameters,
                             List<EpochMetrics> history) {
    public static final int VERSION = 1;
    public static final String FILE_NAME = "checkpoint.json";

    public record EpochMetrics(int epoch, long step, double trainLoss, double validationLoss,
                               double validationAccuracy) {
    }
}
