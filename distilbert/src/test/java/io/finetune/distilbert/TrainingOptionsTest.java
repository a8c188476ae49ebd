package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.finetune.distilbert.metrics.ClassificationMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The Hugging Face Trainer options beyond the basic loop: evaluation steps, best metric, weights, grouping. */
class TrainingOptionsTest {

    @TempDir
    Path temp;

    @Test
    void evaluatesEveryNStepsAndKeepsTheMostAccurateWeights() {
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        List<Example> train = SyntheticSentiment.examples(dir, 32, 31);
        List<Example> validation = SyntheticSentiment.examples(dir, 12, 32);
        TrainingConfig config = TrainingConfig.defaults().withLearningRate(5e-3).withBatchSize(4).withEpochs(2)
                .withEvalSteps(3).withMetricForBestModel(TrainingConfig.BestModelMetric.ACCURACY);
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            TrainingResult result = new FineTuner(config).train(model, train, validation, null);
            // 16 steps: evaluations at 3, 6, 9, 12, 15 and after the last step.
            assertThat(result.history()).extracting(EpochResult::step).containsExactly(3L, 6L, 9L, 12L, 15L, 16L);
            assertThat(result.history()).extracting(EpochResult::epoch).containsExactly(1, 1, 2, 2, 2, 2);
            double bestAccuracy = result.history().stream().mapToDouble(EpochResult::validationAccuracy).max()
                    .orElseThrow();
            EpochResult firstBest = result.history().stream().filter(e -> e.validationAccuracy() == bestAccuracy)
                    .findFirst().orElseThrow();
            assertThat(result.bestEpoch()).isEqualTo(firstBest);
            float[][] logits = Predictor.logits(model, validation.stream().map(Example::inputIds).toList(), 4);
            int correct = 0;
            for (int i = 0; i < logits.length; i++) {
                correct += ClassificationMetrics.argmax(logits[i]) == validation.get(i).label() ? 1 : 0;
            }
            assertThat((double) correct / logits.length).isEqualTo(bestAccuracy);
        }
    }

    @Test
    void classWeightsScaleEachExampleAsPyTorchDoes() {
        try (NDManager manager = Torch.engine().newBaseManager(Device.cpu())) {
            float[][] rows = {{2f, -1f, 0.5f}, {0.1f, 0.2f, 0.3f}, {-1f, 3f, 0f}};
            int[] labels = {0, 2, 2};
            double[] w = {0.5, 1.0, 4.0};
            NDArray logits = manager.create(new float[] {2f, -1f, 0.5f, 0.1f, 0.2f, 0.3f, -1f, 3f, 0f},
                    new ai.djl.ndarray.types.Shape(3, 3));
            double expected = 0;
            double weightSum = 0;
            for (int i = 0; i < 3; i++) {
                expected += w[labels[i]] * Losses.crossEntropy(rows[i], labels[i]);
                weightSum += w[labels[i]];
            }
            ClassWeights weighted = new ClassWeights(List.of(0.5, 1.0, 4.0), 3);
            assertThat(weighted.loss(manager, logits, labels).getFloat()).isCloseTo((float) (expected / weightSum),
                    within(1e-6f));
            ClassWeights none = new ClassWeights(null, 3);
            double plain = (Losses.crossEntropy(rows[0], 0) + Losses.crossEntropy(rows[1], 2)
                    + Losses.crossEntropy(rows[2], 2)) / 3;
            assertThat(none.loss(manager, logits, labels).getFloat()).isCloseTo((float) plain, within(1e-6f));
        }
        assertThatThrownBy(() -> new ClassWeights(List.of(1.0, 2.0), 3))
                .hasMessageContaining("classWeights has 2 weights but the model has 3 labels");
    }

    @Test
    void lengthGroupedBatchesNeedLessPaddingAndStillVisitEveryExampleOnce() {
        Random random = new Random(5);
        List<int[]> inputs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            inputs.add(new int[2 + random.nextInt(120)]);
        }
        List<Integer> plain = BatchOrder.of(inputs, 8, 42, 1, false);
        List<Integer> grouped = BatchOrder.of(inputs, 8, 42, 1, true);
        assertThat(new HashSet<>(grouped)).hasSize(1000);
        assertThat(grouped).isEqualTo(BatchOrder.of(inputs, 8, 42, 1, true))
                .isNotEqualTo(BatchOrder.of(inputs, 8, 42, 2, true));
        int longest = inputs.stream().mapToInt(a -> a.length).max().orElseThrow();
        assertThat(inputs.get(grouped.get(0)).length).isEqualTo(longest);
        assertThat(padding(inputs, grouped, 8)).isLessThan(padding(inputs, plain, 8) / 5);
    }

    private static long padding(List<int[]> inputs, List<Integer> order, int batchSize) {
        long pad = 0;
        for (int from = 0; from < order.size(); from += batchSize) {
            List<Integer> batch = order.subList(from, Math.min(order.size(), from + batchSize));
            int max = batch.stream().mapToInt(i -> inputs.get(i).length).max().orElseThrow();
            pad += batch.stream().mapToInt(i -> max - inputs.get(i).length).sum();
        }
        return pad;
    }

    @Test
    void theStoreKeepsTheNewestStatesAndIgnoresAPartialOne() throws IOException {
        StateStore store = new StateStore(temp.resolve("states"), 2);
        for (long step : new long[] {5, 10, 15}) {
            store.save(step, dir -> new TrainingState(TrainingState.VERSION, "f", 1, step, 1, 0, 0, 0, 0,
                    List.of(new EpochResult(1, step, 0.5, Double.NaN, Double.NaN, Map.of())), null, 0, false, 0, null)
                    .write(dir));
        }
        // What a process killed while writing leaves behind: never taken for a state.
        Files.createDirectories(temp.resolve("states/.partial-state-000000000020"));
        Files.writeString(temp.resolve("states/.partial-state-000000000020/state.json"), "{\"v\":1,");
        assertThat(store.states()).extracting(p -> p.getFileName().toString())
                .containsExactly("state-000000000010", "state-000000000015");
        TrainingState latest = TrainingState.read(store.latest().orElseThrow());
        assertThat(latest.step()).isEqualTo(15);
        assertThat(latest.history().get(0).validationLoss()).isNaN();
    }
}
