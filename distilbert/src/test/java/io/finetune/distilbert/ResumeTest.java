package io.finetune.distilbert;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A run killed part-way and resumed from its saved state ends exactly where the uninterrupted run ends. */
class ResumeTest {

    @TempDir
    Path temp;

    /** 32 examples / batch 4 = 8 steps an epoch, 24 in all; states every 5 steps and at epoch ends. */
    private static final TrainingConfig CONFIG = TrainingConfig.defaults().withLearningRate(5e-3).withBatchSize(4)
            .withEpochs(3).withSeed(11).withWarmupRatio(0.1).withSaveStateEverySteps(5).withSaveTotalLimit(2);
    /** A float16 loss scale whose first steps overflow (6 steps skipped here), unused in the other precisions. */
    private static final double OVERFLOWING_SCALE = 0x1p20;

    private static final class Crash extends RuntimeException {
        Crash(long step) {
            super("simulated crash after step " + step);
        }
    }

    /** Records the loss of every step and throws after step {@code crashAfter}, as a killed process stops. */
    private static final class Recorder implements TrainingListener {
        final Map<Long, Double> losses = new LinkedHashMap<>();
        final Map<Long, Double> scales = new LinkedHashMap<>();
        final List<EpochResult> evaluations = new ArrayList<>();
        long crashAfter = Long.MAX_VALUE;
        TrainingState resumed;

        @Override
        public void onResumed(TrainingState state) {
            resumed = state;
        }

        @Override
        public void onStep(StepProgress p) {
            losses.put(p.step(), p.loss());
            scales.put(p.step(), p.lossScale());
            if (p.step() == crashAfter) {
                throw new Crash(p.step());
            }
        }

        @Override
        public void onEvaluation(EpochResult r) {
            evaluations.add(r);
        }
    }

    /**
     * In float32 and in both mixed precisions alike: the resumed run makes the same updates. float16 starts from a
     * loss scale so high that the first steps overflow and are skipped: the resumed run must continue with the
     * scale the state saved, not skip steps again from the initial one. (libtorch computes float16 on any CPU, so
     * that case runs everywhere; bfloat16 only where the CPU has its units.)
     */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void aRunKilledAfterThirteenStepsResumesFromStepTenAndEndsWithTheSameWeights(Precision precision) throws Exception {
        if (precision == Precision.BF16) {
            assumeTrue(Autocast.unsupportedReason(precision, Device.cpu()).isEmpty(),
                    () -> Autocast.unsupportedReason(precision, Device.cpu()).orElseThrow());
        }
        TrainingConfig config = CONFIG.withPrecision(precision).withInitialLossScale(OVERFLOWING_SCALE);
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        List<Example> train = SyntheticSentiment.examples(dir, 32, 21);
        List<Example> validation = SyntheticSentiment.examples(dir, 8, 22);

        Recorder whole = new Recorder();
        Map<String, float[]> expected;
        TrainingResult uninterrupted;
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            uninterrupted = new FineTuner(config).train(model, train, validation, whole,
                    new StateStore(temp.resolve("whole"), 2));
            expected = weights(model);
        }

        StateStore store = new StateStore(temp.resolve("interrupted"), 2);
        Recorder first = new Recorder();
        first.crashAfter = 13;
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            assertThatThrownBy(() -> new FineTuner(config).train(model, train, validation, first, store))
                    .isInstanceOf(Crash.class);
        }
        // States of steps 5, 8 (epoch end) and 10 were written; the limit keeps the newest two.
        assertThat(store.states()).extracting(p -> p.getFileName().toString())
                .containsExactly("state-000000000008", "state-000000000010");

        // A restarted process resumes on a thread that has never trained (PyTorch's grad mode is per thread).
        Recorder second = new Recorder();
        TrainingResult resumed;
        Map<String, float[]> actual;
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            resumed = onFreshThread(() -> new FineTuner(config).train(model, train, validation, second, store));
            actual = weights(model);
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((name, values) -> {
            float[] got = actual.get(name);
            for (int i = 0; i < values.length; i++) {
                assertThat(got[i]).as(name + "[" + i + "]").isCloseTo(values[i], within(1e-6f));
            }
        });
        assertThat(second.resumed.step()).isEqualTo(10);
        assertThat(second.resumed.epoch()).isEqualTo(2);
        assertThat(second.resumed.batch()).isEqualTo(2);
        assertThat(resumed.resumedFromStep()).isEqualTo(10);
        assertThat(resumed.steps()).isEqualTo(24);
        assertThat(second.losses.keySet()).containsExactlyElementsOf(range(11, 24));
        second.losses.forEach((step, loss) ->
                assertThat(loss).as("loss of step " + step).isCloseTo(whole.losses.get(step), within(1e-6)));
        assertThat(first.losses.get(11L)).isCloseTo(whole.losses.get(11L), within(1e-6));
        // The evaluations before the crash come back with the state, the rest are recomputed identically.
        assertThat(resumed.history()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            EpochResult a = uninterrupted.history().get(i);
            EpochResult b = resumed.history().get(i);
            assertThat(b.step()).isEqualTo(a.step());
            assertThat(b.trainLoss()).isCloseTo(a.trainLoss(), within(1e-6));
            assertThat(b.validationLoss()).isCloseTo(a.validationLoss(), within(1e-6));
        }
        assertThat(resumed.bestEpoch().step()).isEqualTo(uninterrupted.bestEpoch().step());
        if (precision == Precision.FP16) {
            assertThat(uninterrupted.skippedSteps()).as("steps skipped before the state of step 10").isBetween(1L, 9L);
            assertThat(resumed.skippedSteps()).isEqualTo(uninterrupted.skippedSteps());
            assertThat(second.scales.get(24L)).isEqualTo(whole.scales.get(24L));
        }
    }

    @Test
    void aStopForAShutdownSavesTheStateOfThatStepAndContinuesFromIt() throws Exception {
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        List<Example> train = SyntheticSentiment.examples(dir, 32, 25);
        TrainingConfig config = CONFIG.withEpochs(1).withSaveStateEverySteps(0).withGradientAccumulationSteps(2);
        Map<String, float[]> expected;
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            new FineTuner(config).train(model, train, List.of(), null);
            expected = weights(model);
        }
        StateStore store = new StateStore(temp.resolve("states"), 2);
        TrainingListener stopped = new TrainingListener() {
            private long steps;

            @Override
            public void onStep(StepProgress progress) {
                steps = progress.step();
            }

            @Override
            public boolean isCancelled() {
                return steps == 3; // asked to stop after step 3 of 4, mid-epoch
            }
        };
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            assertThat(new FineTuner(config).train(model, train, List.of(), stopped, store).cancelled()).isTrue();
        }
        TrainingState saved = TrainingState.read(store.latest().orElseThrow());
        assertThat(saved.step()).isEqualTo(3);
        assertThat(saved.batch()).isEqualTo(6); // two micro-batches a step
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            TrainingResult result = onFreshThread(() ->
                    new FineTuner(config).train(model, train, List.of(), null, store));
            assertThat(result.resumedFromStep()).isEqualTo(3);
            assertThat(result.steps()).isEqualTo(4);
            Map<String, float[]> actual = weights(model);
            expected.forEach((name, values) -> {
                float[] got = actual.get(name);
                for (int i = 0; i < values.length; i++) {
                    assertThat(got[i]).as(name + "[" + i + "]").isCloseTo(values[i], within(1e-6f));
                }
            });
        }
    }

    @Test
    void aStateOfAnotherRunIsRefused() {
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        List<Example> train = SyntheticSentiment.examples(dir, 8, 23);
        StateStore store = new StateStore(temp.resolve("states"), 1);
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            new FineTuner(CONFIG.withEpochs(1)).train(model, train, List.of(), null, store);
        }
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            assertThatThrownBy(() -> new FineTuner(CONFIG.withEpochs(1).withLearningRate(1e-3))
                    .train(model, train, List.of(), null, store))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("other data or hyperparameters");
        }
    }

    @Test
    void aDivergingLossStopsWithTheStepAndLeavesTheLastGoodState() {
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        List<Example> train = SyntheticSentiment.examples(dir, 32, 24);
        StateStore store = new StateStore(temp.resolve("states"), 2);
        // Weights blown up to infinity after step 6, as a far too high learning rate eventually does.
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            TrainingListener poison = new TrainingListener() {
                @Override
                public void onStep(StepProgress p) {
                    if (p.step() == 6) {
                        model.parameters().get("classifier.weight").muli(Float.POSITIVE_INFINITY);
                    }
                }
            };
            assertThatThrownBy(() -> new FineTuner(CONFIG).train(model, train, List.of(), poison, store))
                    .isInstanceOf(TrainingDivergedException.class)
                    .hasMessage("loss diverged at step 7 (learning rate too high?)");
        }
        Path last = store.latest().orElseThrow();
        assertThat(TrainingState.read(last).step()).isEqualTo(5);
        try (EncoderClassifier saved = EncoderClassifier.load(dir, null, Device.cpu());
             ai.djl.ndarray.NDManager scratch = saved.newBatchManager()) {
            float[] weight = Safetensors.read(last.resolve(TrainingState.WEIGHTS), scratch)
                    .get("classifier.weight").toFloatArray();
            for (float w : weight) {
                assertThat(Float.isFinite(w)).isTrue();
            }
        }
        assertThat(Files.exists(last.resolve(TrainingState.OPTIMIZER))).isTrue();
    }

    private static <T> T onFreshThread(Callable<T> work) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            return thread.submit(work).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            thread.shutdown();
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(s);
        }
        return out;
    }

    private static Map<String, float[]> weights(EncoderClassifier model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> out.put(name, p.toFloatArray()));
        return out;
    }
}
