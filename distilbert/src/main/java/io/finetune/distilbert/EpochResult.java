package io.finetune.distilbert;

/**
 * Metrics of one evaluation, in epoch {@code epoch} (from 1) after {@code step} optimizer steps. {@code trainLoss}
 * is the mean training loss since the previous evaluation. Validation values are {@code NaN} when there is no
 * validation set.
 */
public record EpochResult(int epoch, long step, double trainLoss, double validationLoss, double validationAccuracy) {}
