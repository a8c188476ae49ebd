package io.finetune.evaluator.domain;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.Hyperparameters;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One checkpoint's accuracy on the validation split, as the trainer measured it, against its accuracy on the test
 * split, as this service measured it, and whether they differ by more than the sizes of the splits explain.
 *
 * <p>The rule: Fisher's exact test, two-sided, on each split's right and wrong answers; a gap counts when
 * p &lt; {@link #SIGNIFICANCE}. 0.01 rather than the usual 0.05 because every checkpoint of a job is compared, and the
 * final checkpoint's validation figure is the best of several evaluations, which leans high: a looser level would flag
 * healthy runs. Given the same examples, trainer and evaluator report the same figures (SameExamplesScoreTheSameTest),
 * so a gap beyond chance is about the examples: splits drawn from different sources, duplicates of validation
 * examples in the training data, too few examples to trust.
 *
 * @param lossesComparable false when the validation loss is class-weighted or label-smoothed, as the run's training
 *                         loss is, and so not the plain log loss measured on test
 */
public record AccuracyGap(int validationRight, int validationExamples, Double validationLoss, int testRight,
                          int testExamples, double testLogLoss, boolean lossesComparable, double pValue) {
    public static final double SIGNIFICANCE = 0.01;

    /**
     * Empty where there is nothing to compare: no validation figures in the checkpoint, no validation split in the
     * dataset build evaluated on (or a build other than the one trained on, whose split sizes are not known here),
     * or an evaluation on the validation split itself.
     */
    public static Optional<AccuracyGap> of(EvaluatedCheckpoint e) {
        CheckpointInfo info = e.checkpoint();
        if (info == null || info.validationAccuracy() == null || !Double.isFinite(info.validationAccuracy())
                || !"test".equals(e.result().split()) || e.data() == null || e.data().counts() == null
                || info.build() != null && !info.build().equals(e.data().build())) {
            return Optional.empty();
        }
        int validation = e.data().counts().getOrDefault("validation", Map.of()).values().stream()
                .mapToInt(Integer::intValue).sum();
        if (validation == 0) {
            return Optional.empty();
        }
        int validationRight = (int) Math.round(info.validationAccuracy() * validation);
        int testExamples = e.result().examples();
        int testRight = (int) Math.round(e.result().accuracy() * testExamples);
        return Optional.of(new AccuracyGap(validationRight, validation, info.validationLoss(), testRight,
                testExamples, e.result().logLoss(), plainLoss(TrainedSettings.of(info)),
                FisherExactTest.twoSided(validationRight, validation, testRight, testExamples)));
    }

    private static boolean plainLoss(Hyperparameters settings) {
        return settings == null || settings.classWeights() == null
                && (settings.labelSmoothingFactor() == null || settings.labelSmoothingFactor() == 0);
    }

    public double validationAccuracy() {
        return (double) validationRight / validationExamples;
    }

    public double testAccuracy() {
        return (double) testRight / testExamples;
    }

    public boolean beyondChance() {
        return pValue < SIGNIFICANCE;
    }

    /** The numbers, in words. */
    public String evidence() {
        String losses = validationLoss == null ? "" : fmt("; validation loss %.4f against test log loss %.4f%s",
                validationLoss, testLogLoss, lossesComparable ? "" : " (the validation loss is class-weighted or "
                        + "label-smoothed, as training was; the test log loss is not)");
        return fmt("validation accuracy %.4f (%d of %d, the trainer's) against test accuracy %.4f (%d of %d): "
                        + "Fisher's exact test %s%s", validationAccuracy(), validationRight, validationExamples,
                testAccuracy(), testRight, testExamples, p(), losses);
    }

    /** Whether the gap is more than the split sizes explain, with the test's figure. */
    public String verdict() {
        return beyondChance()
                ? fmt("The gap is more than splits of %d and %d examples explain: Fisher's exact test %s, below "
                + "%s.", validationExamples, testExamples, p(), SIGNIFICANCE)
                : fmt("Within what splits of %d and %d examples explain: Fisher's exact test %s (a gap is "
                + "reported below %s).", validationExamples, testExamples, p(), SIGNIFICANCE);
    }

    private String p() {
        return pValue < 1e-4 ? "p < 0.0001" : fmt("p = %.4f", pValue);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
