package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.ShardManifest;
import io.finetune.distilbert.TrainingConfig;


/** What a checkpoint was trained with, read from its {@code checkpoint.json}. */
public final class TrainedSettings {
    private TrainedSettings() {
    }

    /**
     * The effective settings the trainer recorded (every default filled in), or for a checkpoint from before it
     * recorded them, the submitted ones, whose nulls then read as "the trainer's default" instead of a number guessed
     * here; null without a {@code checkpoint.json}.
     */
    public static Hyperparameters of(CheckpointInfo info) {
        if (info == null) {
            return null;
        }
        return info.effectiveHyperparameters() != null ? info.effectiveHyperparameters() : info.hyperparameters();
    }

    /**
     * The validation metric the trainer chose the final checkpoint by ({@code metric_for_best_model}): "loss",
     * "accuracy", ...; the trainer accepts transformers' "eval_loss" spelling too, and its default where the
     * checkpoint does not say.
     */
    public static String metricForBestModel(CheckpointInfo info) {
        Hyperparameters settings = of(info);
        if (settings == null || settings.metricForBestModel() == null) {
            return TrainingConfig.defaults().metricForBestModel().key();
        }
        String name = settings.metricForBestModel();
        // The trainer refuses a name it does not know, so a checkpoint's is known; shown as written otherwise.
        return TrainingConfig.BestModelMetric.byName(name).map(TrainingConfig.BestModelMetric::key).orElse(name);
    }

    /**
     * Tokens per example as the run read them, before the model's positions cap them: the dataset's length, cut
     * further by the run's {@code maxLength} where that is shorter (the trainer's default for an older checkpoint
     * that does not say).
     *
     * @param data the dataset build evaluated on; null when none was recorded
     */
    public static int maxLength(CheckpointInfo info, ShardManifest data) {
        Hyperparameters settings = of(info);
        int run = settings == null || settings.maxLength() == null ? TrainingConfig.defaults().maxLength()
                : settings.maxLength();
        return data == null ? run : Math.min(run, data.maxLength());
    }
}
