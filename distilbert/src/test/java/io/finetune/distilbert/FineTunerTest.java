package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import io.finetune.distilbert.metrics.ClassificationMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FineTunerTest {

    @TempDir
    Path temp;

    private static final TrainingConfig FAST = TrainingConfig.defaults()
            .withLearningRate(5e-3).withBatchSize(4).withEpochs(4).withSeed(7);

    /** Records what the listener sees. */
    private static final class Recorder implements TrainingListener {
        final List<StepProgress> steps = new ArrayList<>();
        final List<EpochResult> epochs = new ArrayList<>();
        int cancelAfter = Integer.MAX_VALUE;

        @Override
        public void onStep(StepProgress p) {
            steps.add(p);
        }

        @Override
        public void onEvaluation(EpochResult r) {
            epochs.add(r);
        }

        @Override
        public boolean isCancelled() {
            return steps.size() >= cancelAfter;
        }
    }

    private Path tiny() {
        return BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
    }

    @Test
    void learnsASyntheticSentimentTaskWithoutLeaking() {
        Path dir = tiny();
        List<Example> train = SyntheticSentiment.examples(dir, 128, 1);
        List<Example> validation = SyntheticSentiment.examples(dir, 40, 2);
        Recorder recorder = new Recorder();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            int arraysBefore = model.managedArrayCount();
            TrainingResult result = new FineTuner(FAST).train(model, train, validation, recorder);
            assertThat(model.managedArrayCount()).as("arrays held by the model after training").isEqualTo(arraysBefore);

            assertThat(result.bestEpoch().validationAccuracy()).isGreaterThan(0.9);
            assertThat(result.history()).hasSize(4).isEqualTo(recorder.epochs);
            assertThat(result.steps()).isEqualTo(4 * 32);
            assertThat(recorder.steps).hasSize(128);
            assertThat(recorder.steps.get(127).totalSteps()).isEqualTo(128);
            assertThat(recorder.steps.get(0).learningRate()).isEqualTo(5e-3);
            assertThat(recorder.steps.get(127).learningRate()).isCloseTo(5e-3 / 128, within(1e-12));
            assertThat(recorder.steps).allSatisfy(s -> assertThat(s.tokensPerSecond()).isPositive());
            assertThat(result.cancelled()).isFalse();

            // The model holds the best epoch's weights.
            float[][] probabilities = Predictor.probabilities(model,
                    validation.stream().map(Example::inputIds).toList(), 16);
            int correct = 0;
            for (int i = 0; i < probabilities.length; i++) {
                correct += ClassificationMetrics.argmax(probabilities[i]) == validation.get(i).label() ? 1 : 0;
            }
            assertThat((double) correct / validation.size()).isEqualTo(result.bestEpoch().validationAccuracy());
        }
    }

    @Test
    void sameSeedGivesTheSameLossCurve() {
        Path dir = tiny();
        List<Example> train = SyntheticSentiment.examples(dir, 32, 3);
        List<Double> first = lossCurve(dir, train, FAST.withEpochs(2));
        List<Double> second = lossCurve(dir, train, FAST.withEpochs(2));
        assertThat(first).hasSize(16).isEqualTo(second);
        assertThat(lossCurve(dir, train, FAST.withEpochs(2).withSeed(8))).isNotEqualTo(first);
    }

    private static List<Double> lossCurve(Path dir, List<Example> train, TrainingConfig config) {
        Recorder recorder = new Recorder();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            new FineTuner(config).train(model, train, List.of(), recorder);
        }
        return recorder.steps.stream().map(StepProgress::loss).toList();
    }

    @Test
    void maxStepsEndsTrainingWithinAnEpochAndEvaluatesThere() {
        Path dir = tiny();
        Recorder recorder = new Recorder();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            // 64 examples in batches of FAST's size: several steps an epoch; 5 steps end inside the first or second.
            TrainingResult result = new FineTuner(FAST.withEpochs(9).withMaxSteps(5)).train(model,
                    SyntheticSentiment.examples(dir, 64, 4), SyntheticSentiment.examples(dir, 8, 5), recorder);
            assertThat(result.steps()).isEqualTo(5);
            assertThat(result.history()).last().satisfies(e -> assertThat(e.step()).isEqualTo(5));
        }
    }

    @Test
    void cancellationStopsAfterTheCurrentStep() {
        Path dir = tiny();
        Recorder recorder = new Recorder();
        recorder.cancelAfter = 3;
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            TrainingResult result = new FineTuner(FAST).train(model,
                    SyntheticSentiment.examples(dir, 64, 4), SyntheticSentiment.examples(dir, 8, 5), recorder);
            assertThat(result.cancelled()).isTrue();
            assertThat(result.steps()).isEqualTo(3);
            assertThat(result.history()).isEmpty();
        }
    }

    @Test
    void earlyStoppingRestoresTheBestEpoch() {
        Path dir = tiny();
        List<Example> train = SyntheticSentiment.examples(dir, 48, 6);
        // Validation with flipped labels: the better the model learns, the worse its validation loss.
        List<Example> flipped = SyntheticSentiment.examples(dir, 16, 7).stream()
                .map(e -> new Example(e.inputIds(), 1 - e.label())).toList();
        Recorder recorder = new Recorder();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            TrainingResult result = new FineTuner(FAST.withEpochs(6).withEarlyStoppingPatience(2))
                    .train(model, train, flipped, recorder);
            assertThat(result.stoppedEarly()).isTrue();
            assertThat(result.history()).hasSize(result.bestEpoch().epoch() + 2);
            float[][] logits = Predictor.logits(model, flipped.stream().map(Example::inputIds).toList(), 4);
            double loss = 0;
            for (int i = 0; i < logits.length; i++) {
                loss += Losses.crossEntropy(logits[i], flipped.get(i).label());
            }
            assertThat(loss / logits.length).isCloseTo(result.bestEpoch().validationLoss(), within(1e-5));
        }
    }

    @Test
    void gradientAccumulationMatchesOneLargeBatch() {
        EncoderConfig noDropout = EncoderConfig.of(16, 32, 2, 2, 180, 64, List.of("n", "p")).withoutDropout();
        // Equal lengths so that the mean of the two half-batch means is the full-batch mean.
        List<Example> train = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            train.add(new Example(new int[] {2, 100 + i, 50 + i, 3}, i % 2));
        }
        // One AdamW step moves each weight by about the learning rate times the sign of its gradient, so a wrong
        // accumulation (one micro-batch's gradient, say) moves weights by ~lr: 100 times the tolerance below. Where a
        // gradient is near AdamW's epsilon, the float32 rounding of the two summation orders (which differs between
        // CPUs: AVX-512 and AVX2 kernels) changes the step by a fraction of lr too; 6.6e-4 of it was seen, so the
        // tolerance is lr / 100, not an absolute number.
        double learningRate = 1e-4;
        TrainingConfig base = TrainingConfig.defaults().withEpochs(1).withLearningRate(learningRate)
                .withWarmupRatio(0);
        try (EncoderClassifier one = EncoderClassifier.create(noDropout, 3, Device.cpu());
             EncoderClassifier two = EncoderClassifier.create(noDropout, 3, Device.cpu())) {
            new FineTuner(base.withBatchSize(8)).train(one, train, List.of(), null);
            new FineTuner(base.withBatchSize(4).withGradientAccumulationSteps(2)).train(two, train, List.of(), null);
            for (Map.Entry<String, NDArray> e : one.parameters().entrySet()) {
                float[] a = e.getValue().toFloatArray();
                float[] b = two.parameters().get(e.getKey()).toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    assertThat(b[i]).as(e.getKey()).isCloseTo(a[i], within((float) learningRate / 100));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"distilbert-tiny", "bert-d32-h4-l2-c3"})
    void frozenParametersDoNotChange(String name) {
        Path dir = BundledModels.extract(name, temp.resolve(name));
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            CheckpointLayout layout = model.config().layout();
            List<String> frozen = List.of(layout.wordEmbeddings() + ".weight", layout.embeddingNorm() + ".bias",
                    layout.layer(0).intermediate() + ".weight", layout.layer(0).outputNorm() + ".weight");
            List<String> trained = List.of(layout.layer(1).intermediate() + ".weight", layout.pooler() + ".weight",
                    layout.classifier() + ".weight");
            Map<String, float[]> before = new java.util.HashMap<>();
            model.parameters().forEach((n, p) -> before.put(n, p.toFloatArray()));
            new FineTuner(FAST.withEpochs(1).withFreezeEmbeddings(true).withFreezeLayers(1))
                    .train(model, SyntheticSentiment.examples(dir, 16, 9), List.of(), null);
            for (String n : frozen) {
                assertThat(model.parameters().get(n).toFloatArray()).as(n).containsExactly(before.get(n));
            }
            for (String n : trained) {
                assertThat(model.parameters().get(n).toFloatArray()).as(n).isNotEqualTo(before.get(n));
            }
        }
    }
}
