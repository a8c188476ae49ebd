package io.finetune.contracts;

import java.util.List;
import java.util.Map;

/**
 * Describes a checkpoint; stored as {@code checkpoint.json} inside its archive so the model directory and what it
 * is travel together.
 *
 * @param build                    the dataset build (shard manifest) the model was trained on
 * @param baseModel                the job's base model: a pretrained model's name or directory, or
 *                                 {@link TrainingJob#SCRATCH} / {@code scratch:<shape>} for new weights
 * @param hyperparameters          the job's hyperparameters as submitted (null = the trainer's default)
 * @param history                  validation metrics after each evaluation so far, for loss curves
 * @param effectiveHyperparameters what training ran with: the job's hyperparameters with every default filled in, as
 *                                 transformers' Trainer saves its resolved arguments beside each checkpoint; null in
 *                                 checkpoints written before this field existed
 * @param stoppedEarly             on the final checkpoint ({@code last}), whether early stopping ended training
 *                                 before the planned epochs; null on the checkpoints published after each evaluation
 *                                 (the run is not over yet) and in checkpoints written before this field existed
 */
public record CheckpointInfo(int v, String jobId, String checkpointId, String dataset, String build,
                             String baseModel, int epoch, long step, boolean last, Double trainLoss,
                             Double validationLoss, Double validationAccuracy, Hyperparameters hyperparameters,
                             List<EpochMetrics> history, Hyperparameters effectiveHyperparameters,
                             Boolean stoppedEarly) {
    public static final int VERSION = 1;
    public static final String FILE_NAME = "checkpoint.json";

    /** A checkpoint that does not record its effective settings or how training ended (both null: unknown). */
    public CheckpointInfo(int v, String jobId, String checkpointId, String dataset, String build, String baseModel,
                          int epoch, long step, boolean last, Double trainLoss, Double validationLoss,
                          Double validationAccuracy, Hyperparameters hyperparameters, List<EpochMetrics> history) {
        this(v, jobId, checkpointId, dataset, build, baseModel, epoch, step, last, trainLoss, validationLoss,
                validationAccuracy, hyperparameters, history, null, null);
    }

    /**
     * One evaluation during training.
     *
     * @param validationLoss    the loss training minimises, on the validation split (Hugging Face's {@code eval_loss})
     * @param validationMetrics the evaluator's metrics on the validation split by name ({@code accuracy},
     *                          {@code macro_f1}, {@code weighted_f1}, {@code log_loss}, and for two labels
     *                          {@code roc_auc} and {@code pr_auc}); null in checkpoints written before they were
     *                          recorded
     */
    public record EpochMetrics(int epoch, long step, double trainLoss, double validationLoss,
                               double validationAccuracy, Map<String, Double> validationMetrics) {

        /** An evaluation that does not record the evaluator's metrics (null: unknown). */
        public EpochMetrics(int epoch, long step, double trainLoss, double validationLoss, double validationAccuracy) {
            this(epoch, step, trainLoss, validationLoss, validationAccuracy, null);
        }
    }
}
