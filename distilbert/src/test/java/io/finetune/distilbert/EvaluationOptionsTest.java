package io.finetune.distilbert;

import ai.djl.Device;
import io.finetune.distilbert.metrics.ClassificationMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Hugging Face's evaluation settings: which metric picks the best model ({@code metric_for_best_model}), when to
 * evaluate ({@code eval_strategy}) and whether the best weights are loaded at the end ({@code load_best_model_at_end}).
 */
class EvaluationOptionsTest {
    /** 32 examples / batch 4 = 8 steps an epoch, 16 in all. */
    private static final TrainingConfig FAST = TrainingConfig.defaults().withLearningRate(5e-3).withBatchSize(4)
            .withEpochs(2);

    @TempDir
    Path temp;

    private Path tiny() {
        return BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
    }

    @Test
    void theEvaluatorsMacroF1PicksTheBestEvaluationAndItsWeights() {
        Path dir = tiny();
        List<Example> train = SyntheticSentiment.examples(dir, 32, 31);
        List<Example> validation = SyntheticSentiment.examples(dir, 12, 32);
        TrainingConfig config = FAST.withEvalSteps(3).withMetricForBestModel(TrainingConfig.BestModelMetric.MACRO_F1);
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            TrainingResult result = new FineTuner(config).train(model, train, validation, null);

            assertThat(result.history()).hasSize(6).allSatisfy(e -> {
                assertThat(e.validationMetrics()).containsOnlyKeys("accuracy", "macro_f1", "weighted_f1",
                        "log_loss", "roc_auc", "pr_auc");
                assertThat(e.validationMetrics().get("accuracy")).isEqualTo(e.validationAccuracy());
            });
            EpochResult firstBest = result.history().stream()
                    .max(Comparator.comparingDouble((EpochResult e) -> e.validationMetrics().get("macro_f1"))
                            .thenComparing(e -> -e.step())) // the first of equals, as Trainer keeps it
                    .orElseThrow();
            assertThat(result.bestEpoch()).isEqualTo(firstBest);
            assertThat(scores(model, validation).macroF1()).isEqualTo(firstBest.validationMetrics().get("macro_f1"));
        }
    }

    @Test
    void areasUnderCurvesAreRefusedWhereTheValidationSplitLeavesThemUndefined() {
        Path dir = tiny();
        List<Example> train = SyntheticSentiment.examples(dir, 8, 33);
        List<Example> negativesOnly = SyntheticSentiment.examples(dir, 8, 34).stream().filter(e -> e.label() == 0)
                .toList();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            String positive = model.config().labels().get(1);
            assertThatThrownBy(() -> new FineTuner(FAST.withMetricForBestModel(TrainingConfig.BestModelMetric.PR_AUC))
                    .train(model, train, negativesOnly, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("metricForBestModel 'pr_auc' is undefined on a validation split without '" + positive
                            + "' examples: add some to it, or choose another metric");
        }
    }

    @Test
    void statesSavedBeforeTheEvaluatorsMetricsWereRecordedStillRead() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("state"));
        Files.writeString(dir.resolve(TrainingState.FILE_NAME), """
                {"v": 1, "fingerprint": "f", "seed": 42, "step": 8, "epoch": 2, "batch": 0, "tokens": 100,
                 "lossSum": 0.0, "lossBatches": 0,
                 "history": [{"epoch": 1, "step": 8, "trainLoss": 0.6, "validationLoss": 0.5,
                              "validationAccuracy": 0.75}],
                 "best": {"epoch": 1, "step": 8, "trainLoss": 0.6, "validationLoss": 0.5, "validationAccuracy": 0.75},
                 "evaluationsWithoutImprovement": 0, "stoppedEarly": false, "skippedSteps": 0}""");

        TrainingState state = TrainingState.read(dir);

        assertThat(state.history().get(0).validationMetrics()).isEmpty();
        assertThat(TrainingConfig.BestModelMetric.ACCURACY.value(state.best())).isEqualTo(0.75);
        assertThat(TrainingConfig.BestModelMetric.MACRO_F1.value(state.best())).isNaN();
    }

    /** The evaluator's metrics of the model as it is now, on {@code examples}. */
    private static ClassificationMetrics scores(EncoderClassifier model, List<Example> examples) {
        float[][] probabilities = Predictor.probabilities(model, examples.stream().map(Example::inputIds).toList(), 4);
        return ClassificationMetrics.compute(model.config().labels(),
                examples.stream().mapToInt(Example::label).toArray(), probabilities);
    }
}
