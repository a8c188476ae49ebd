package io.finetune.distilbert;

import ai.djl.Device;
import io.finetune.distilbert.metrics.ClassificationMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    void withoutEvaluationWhileTrainingOnlyTheLastWeightsAreScoredOnceAfterTheLastStep() {
        Path dir = tiny();
        List<Example> train = SyntheticSentiment.examples(dir, 32, 35);
        List<Example> validation = SyntheticSentiment.examples(dir, 12, 36);
        Map<String, float[]> lastWeights = lastWeights(dir, train);
        Recorder recorder = new Recorder();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            TrainingResult result = new FineTuner(FAST.withEvalStrategy(TrainingConfig.EvalStrategy.NO))
                    .train(model, train, validation, recorder);

            assertThat(recorder.evaluations).hasSize(1);
            EpochResult only = recorder.evaluations.get(0);
            assertThat(only.step()).isEqualTo(16);
            assertThat(result.history()).containsExactly(only);
            assertThat(result.keptEpoch()).isEqualTo(only);
            assertSameWeights(weights(model), lastWeights);
            assertScoresOf(model, validation, only);
        }
    }

    @Test
    void withoutLoadingTheBestModelTheLastWeightsAndTheLastEvaluationAreKept() {
        Path dir = tiny();
        List<Example> train = SyntheticSentiment.examples(dir, 32, 35);
        List<Example> validation = SyntheticSentiment.examples(dir, 12, 36);
        Map<String, float[]> lastWeights = lastWeights(dir, train);
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            // Evaluations at steps 3, 6, ..., 15 and 16: the best by validation loss is rarely the last one.
            TrainingResult result = new FineTuner(FAST.withEvalSteps(3).withLoadBestModelAtEnd(false))
                    .train(model, train, validation, null);

            assertThat(result.history()).hasSize(6);
            EpochResult last = result.history().get(5);
            assertThat(result.keptEpoch()).isEqualTo(last).isEqualTo(result.finalEpoch());
            EpochResult lowestLoss = result.history().stream()
                    .min(Comparator.comparingDouble(EpochResult::validationLoss)).orElseThrow();
            assertThat(result.bestEpoch()).as("still the best by the metric, as Trainer's best_metric")
                    .isEqualTo(lowestLoss);
            assertSameWeights(weights(model), lastWeights);
            assertScoresOf(model, validation, last);
        }
    }

    @Test
    void aRunWithoutEvaluationResumedAfterACrashStillEndsWithItsOneEvaluation() {
        Path dir = tiny();
        List<Example> train = SyntheticSentiment.examples(dir, 32, 37);
        List<Example> validation = SyntheticSentiment.examples(dir, 12, 38);
        // 11 steps end within epoch 2; states at steps 5, 8 (epoch 1's end), 10 and 11 (the last).
        TrainingConfig config = FAST.withEvalStrategy(TrainingConfig.EvalStrategy.NO).withMaxSteps(11)
                .withSaveStateEverySteps(5);
        EpochResult uninterrupted;
        Map<String, float[]> expected;
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            uninterrupted = new FineTuner(config).train(model, train, validation, null).finalEpoch();
            expected = weights(model);
        }

        StateStore store = new StateStore(temp.resolve("states"), 2);
        Recorder crashed = new Recorder();
        crashed.crashAfter = 9;
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            assertThatThrownBy(() -> new FineTuner(config).train(model, train, validation, crashed, store))
                    .isInstanceOf(IllegalStateException.class).hasMessage("crash after step 9");
        }
        assertThat(crashed.evaluations).isEmpty();

        Recorder resumed = new Recorder();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            TrainingResult result = new FineTuner(config).train(model, train, validation, resumed, store);
            assertThat(result.resumedFromStep()).isEqualTo(8);
            assertThat(resumed.steps).containsExactly(9L, 10L, 11L);
            assertThat(resumed.evaluations).hasSize(1);
            assertThat(result.history()).containsExactlyElementsOf(resumed.evaluations);
            EpochResult only = resumed.evaluations.get(0);
            assertThat(only.step()).isEqualTo(11);
            assertThat(only.validationLoss()).isCloseTo(uninterrupted.validationLoss(), within(1e-6));
            assertThat(only.validationMetrics().get("log_loss"))
                    .isCloseTo(uninterrupted.validationMetrics().get("log_loss"), within(1e-6));
            assertSameWeights(weights(model), expected);
        }

        // Killed after its last state, before the final model was taken away: started again, it adds no step and
        // no evaluation, and ends with the same one.
        Recorder again = new Recorder();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            TrainingResult result = new FineTuner(config).train(model, train, validation, again, store);
            assertThat(result.resumedFromStep()).isEqualTo(11);
            assertThat(result.steps()).isEqualTo(11);
            assertThat(again.steps).isEmpty();
            assertThat(again.evaluations).isEmpty();
            assertThat(result.history()).hasSize(1);
            assertThat(result.keptEpoch().step()).isEqualTo(11);
            assertSameWeights(weights(model), expected);
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

    /** Records the steps and evaluations it sees, and stops the run after step {@code crashAfter} as a kill would. */
    private static final class Recorder implements TrainingListener {
        final List<Long> steps = new ArrayList<>();
        final List<EpochResult> evaluations = new ArrayList<>();
        long crashAfter = Long.MAX_VALUE;

        @Override
        public void onStep(StepProgress progress) {
            steps.add(progress.step());
            if (progress.step() == crashAfter) {
                throw new IllegalStateException("crash after step " + crashAfter);
            }
        }

        @Override
        public void onEvaluation(EpochResult result) {
            evaluations.add(result);
        }
    }

    /** The weights {@link #FAST} training ends with: without a validation split nothing else can be kept. */
    private static Map<String, float[]> lastWeights(Path dir, List<Example> train) {
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            new FineTuner(FAST).train(model, train, List.of(), null);
            return weights(model);
        }
    }

    private static Map<String, float[]> weights(EncoderClassifier model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> out.put(name, p.toFloatArray()));
        return out;
    }

    private static void assertSameWeights(Map<String, float[]> actual, Map<String, float[]> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((name, values) -> {
            float[] got = actual.get(name);
            for (int i = 0; i < values.length; i++) {
                assertThat(got[i]).as(name + "[" + i + "]").isCloseTo(values[i], within(1e-6f));
            }
        });
    }

    /** The model's weights are the ones {@code evaluation} scored. */
    private static void assertScoresOf(EncoderClassifier model, List<Example> validation, EpochResult evaluation) {
        ClassificationMetrics now = scores(model, validation);
        assertThat(now.accuracy()).isEqualTo(evaluation.validationAccuracy());
        assertThat(now.logLoss()).isCloseTo(evaluation.validationMetrics().get("log_loss"), within(1e-6));
    }

    /** The evaluator's metrics of the model as it is now, on {@code examples}. */
    private static ClassificationMetrics scores(EncoderClassifier model, List<Example> examples) {
        float[][] probabilities = Predictor.probabilities(model, examples.stream().map(Example::inputIds).toList(), 4);
        return ClassificationMetrics.compute(model.config().labels(),
                examples.stream().mapToInt(Example::label).toArray(), probabilities);
    }
}
