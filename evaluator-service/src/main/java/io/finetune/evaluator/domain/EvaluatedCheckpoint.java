package io.finetune.evaluator.domain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.EvaluationResult;
import io.finetune.contracts.Json;
import io.finetune.contracts.ShardManifest;

import java.util.List;

/**
 * An evaluation as this service keeps it: the published {@link EvaluationResult} plus what the report, the advice
 * and run comparisons need later, when the checkpoint archive and the test split are gone.
 *
 * @param checkpoint           the archive's checkpoint.json: hyperparameters and the training/validation history
 * @param data                 the manifest of the dataset build evaluated on: counts and the cleaning report
 * @param curves               ROC and PR curves, two-class tasks only
 * @param confidentlyWrong     the most confident errors, most confident first
 * @param highConfidenceErrors errors made with at least {@link #HIGH_CONFIDENCE} probability
 * @param model                the model's family and positions, from its config.json; null in evaluations stored
 *                             before they were recorded
 */
public record EvaluatedCheckpoint(EvaluationResult result, CheckpointInfo checkpoint, ShardManifest data,
                                  Curves curves, List<WrongExample> confidentlyWrong, int highConfidenceErrors,
                                  ModelFacts model) {
    public static final double HIGH_CONFIDENCE = 0.9;

    public Double rocAuc() {
        return result.rocAuc();
    }

    public Double averagePrecision() {
        return result.averagePrecision();
    }

    /**
     * True for a job's final checkpoint: the trainer's choice, holding the weights of the evaluation that scored best
     * on the validation split by {@code metricForBestModel}.
     */
    public boolean trainersChoice() {
        return checkpoint != null && checkpoint.last();
    }

    /** The published event's JSON, so REST clients and topic readers see one shape. */
    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(result);
    }
}
