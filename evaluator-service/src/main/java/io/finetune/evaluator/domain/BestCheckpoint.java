package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.EvaluationResult;

/**
 * A job's best checkpoint. There is one meaning of "best": the trainer's choice, its final checkpoint, which holds the
 * weights of the evaluation that scored best on the validation split by {@code metricForBestModel} (transformers'
 * {@code load_best_model_at_end}). The test split only reports on it: a checkpoint picked by its test figures would
 * make them optimistic, so nothing in this service picks by them.
 *
 * @param chosenBy           how it was chosen, in words
 * @param epoch              the epoch of the evaluation whose weights it holds
 * @param step               the step of that evaluation
 * @param validationLoss     that evaluation's validation loss, as the trainer computed it
 * @param validationAccuracy that evaluation's validation accuracy, as the trainer computed it
 * @param evaluation         this service's evaluation of the checkpoint, on the test split
 */
public record BestCheckpoint(String checkpointId, String chosenBy, String metricForBestModel, int epoch, long step,
                             Double validationLoss, Double validationAccuracy, EvaluationResult evaluation) {

    /** @param finalCheckpoint a job's final checkpoint ({@link EvaluatedCheckpoint#trainersChoice()}) */
    public static BestCheckpoint of(EvaluatedCheckpoint finalCheckpoint) {
        CheckpointInfo info = finalCheckpoint.checkpoint();
        String metric = TrainedSettings.metricForBestModel(info);
        return new BestCheckpoint(info.checkpointId(), "the trainer: its final checkpoint holds the evaluation with "
                + "the best validation " + metric + " (metricForBestModel); the test figures only report on it", metric,
                info.epoch(), info.step(), info.validationLoss(), info.validationAccuracy(), finalCheckpoint.result());
    }

    /** Why a job with evaluations has no best checkpoint yet. */
    public static String notYet(String jobId) {
        return "job '" + jobId + "' has no evaluated final checkpoint yet: the trainer publishes " + jobId + "-final, "
                + "the best evaluation by validation metricForBestModel, when training ends (a cancelled or failed job "
                + "has none); name a checkpoint instead";
    }
}
