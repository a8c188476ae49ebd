package io.finetune.contracts;

import java.time.Instant;
import java.util.List;

/**
 * Metrics of one checkpoint on the held-out test split, on {@link Topics#EVALUATIONS} (key = checkpoint id).
 *
 * @param confusionMatrix          rows are true labels, columns predicted labels, both in {@code labels} order
 * @param rocAuc                   two-class tasks only (label 1 positive); null otherwise or when undefined
 * @param averagePrecision         PR-AUC as average precision, two-class tasks only; null otherwise
 * @param expectedCalibrationError |accuracy - confidence| over 10 equal-width confidence bins, weighted by bin size
 * @param accuracyByLength         accuracy per token-length bucket, shortest first (long inputs are truncated)
 * @param precision                the arithmetic of the model's matrix products: {@code fp32}, {@code bf16} or
 *                                 {@code fp16} (Hugging Face's flag names); null in results written before this
 *                                 field existed, which were all computed in fp32
 */
public record EvaluationResult(int v, String jobId, String checkpointId, String dataset, Integer epoch, Long step,
                               String split, int examples, double accuracy, double logLoss, double macroF1,
                               double weightedF1, List<String> labels, List<ClassMetrics> perClass,
                               int[][] confusionMatrix, Instant evaluatedAt, Double rocAuc, Double averagePrecision,
                               Double expectedCalibrationError, List<LengthBucket> accuracyByLength,
                               String precision) {
    public static final int VERSION = 1;

    /** Examples with {@code minTokens <= length <= maxTokens} tokens (special tokens included). */
    public record LengthBucket(int minTokens, int maxTokens, int examples, double accuracy) {
    }
}
