package io.finetune.distilbert;

/**
 * Metrics at the end of an epoch ({@code epoch} counts from 1). Validation values are {@code NaN} when there is no
 * validation set.
 */
public record EpochResult(int epoch, long step, double trainLoss, double validationLoss, double validationAccuracy) {}
