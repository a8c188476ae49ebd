package io.finetune.distilbert;

/** Reported after each optimizer step; {@code epoch} counts from 1, {@code loss} is the step's mean training loss. */
public record StepProgress(long step, long totalSteps, int epoch, double loss, double learningRate,
                           double tokensPerSecond, double etaSeconds) {}
