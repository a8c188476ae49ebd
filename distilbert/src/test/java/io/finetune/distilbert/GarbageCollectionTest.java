package io.finetune.distilbert;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training must not depend on when the garbage collector runs. DJL turns a Java number in an NDArray operation
 * ({@code x.div(2.0)}) into a tensor over a direct buffer that it closes right after the operation; autograd keeps
 * that tensor for the backward pass, so once the collector frees the buffer, backward reads freed memory. In the
 * services this showed up as a loss turning NaN mid-run, at a random step, in one run out of a few.
 */
class GarbageCollectionTest {
    @TempDir
    Path temp;

    @Test
    void trainingUnderConstantGarbageCollectionMatchesAQuietRun() throws Exception {
        Path dir = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        List<Example> train = SyntheticSentiment.examples(dir, 96, 11);
        TrainingConfig config = TrainingConfig.defaults().withLearningRate(5e-3).withBatchSize(4).withEpochs(2)
                .withSeed(3);

        List<Double> quiet = losses(dir, train, config);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread collector = new Thread(() -> {
            while (running.get()) {
                byte[][] garbage = new byte[64][];
                for (int i = 0; i < garbage.length; i++) {
                    garbage[i] = new byte[64 * 1024];
                }
                System.gc();
            }
        }, "gc-pressure");
        collector.setDaemon(true);
        collector.start();
        List<Double> underPressure;
        try {
            underPressure = losses(dir, train, config);
        } finally {
            running.set(false);
            collector.join();
        }
        assertThat(underPressure).allSatisfy(loss -> assertThat(loss).isFinite());
        assertThat(underPressure).isEqualTo(quiet);
    }

    private static List<Double> losses(Path dir, List<Example> train, TrainingConfig config) {
        List<Double> losses = new ArrayList<>();
        try (EncoderClassifier model = EncoderClassifier.load(dir, null, Device.cpu())) {
            new FineTuner(config).train(model, train, List.of(), new TrainingListener() {
                @Override
                public void onStep(StepProgress progress) {
                    losses.add(progress.loss());
                }
            });
        }
        return losses;
    }
}
