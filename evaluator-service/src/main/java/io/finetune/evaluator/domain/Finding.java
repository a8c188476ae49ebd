package io.finetune.evaluator.domain;

/**
 * One thing that holds a run back, with the numbers that show it and what to change.
 *
 * @param code       stable key for clients: overfitting, underfitting, class-imbalance, truncation, too-little-data,
 *                   label-noise, divergence, too-few-epochs, validation-test-gap; and for catastrophic forgetting
 *                   high-learning-rate, no-early-stopping, freeze-lower-layers, scratch-on-small-data
 * @param evidence   the run's own numbers behind the finding
 * @param suggestion a concrete next step
 */
public record Finding(String code, String title, String evidence, String suggestion) {
}
