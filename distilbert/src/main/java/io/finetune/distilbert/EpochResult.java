package io.finetune.distilbert;

import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of one evaluation, in epoch {@code epoch} (from 1) after {@code step} optimizer steps. {@code trainLoss}
 * is the mean training loss since the previous evaluation. Validation values are {@code NaN} when there is no
 * validation set.
 *
 * @param validationLoss the loss training minimises, on the validation split: class-weighted and label-smoothed as
 *                       configured (Hugging Face's {@code eval_loss})
 * @param validationAccuracy the share of validation examples predicted right
 * @param validationMetrics the evaluator's metrics on the validation split, by {@link ClassificationMetrics#byName}'s
 *                          names ({@code accuracy}, {@code macro_f1}, ...); empty without a validation set, and in
 *                          states saved before they were recorded
 */
public record EpochResult(int epoch, long step, double trainLoss, double validationLoss, double validationAccuracy,
                          Map<String, Double> validationMetrics) {

    public EpochResult {
        validationMetrics = validationMetrics == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(validationMetrics));
    }
}
