package io.finetune.distilbert;

/**
 * Reported after each optimizer step; {@code epoch} counts from 1, {@code loss} is the step's mean training loss.
 *
 * @param skippedSteps steps so far whose float16 gradients overflowed, so the update was skipped (0 otherwise)
 * @param lossScale the float16 loss scale after this step; NaN in the other precisions
 */
public record StepProgress(long step, long totalSteps, int epoch, double loss, double learningRate,
                           double tokensPerSecond, double etaSeconds, long skippedSteps, double lossScale) {}
