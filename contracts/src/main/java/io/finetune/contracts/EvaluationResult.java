package io.finetune.contracts;

import java.time.Instant;
import java.util.List;

/**
 * Metrics of one checkpoint on the held-out test split, on {@link Topics#EVALUATIONS} (key = checkpoint id).
 *
 * @param confusionMatrix rows are true labels, columns predicted labels, both in {@code labels} order
 */
public record EvaluationResult(int v, String jobId, String checkpointId, String dataset, Integer epoch, Long step,
                               String split, int examples, double accuracy, double logLoss, double macroF1,
                               double weightedF1, List<String> labels, List<ClassMetrics> perClass,
                               int[][] confusionMatrix, Instant evaluatedAt) {
    public static final int VERSION = 1;
}
