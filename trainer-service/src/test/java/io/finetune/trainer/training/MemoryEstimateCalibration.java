package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.Example;
import io.finetune.distilbert.FineTuner;
import io.finetune.distilbert.TrainingConfig;
import io.finetune.distilbert.TrainingListener;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Measures what {@link MemoryEstimate} estimates, on the CPU: the peak resident memory one training step adds to a
 * process that holds a model already. Not a test of the suite (its name does not end in Test): run it by hand, one
 * shape a JVM (peak memory only grows), e.g.
 * {@code ./mvnw -o -pl trainer-service -am test -Dtest=MemoryEstimateCalibration -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcalibration.batch=64 -Dcalibration.length=256 -Dai.djl.pytorch.num_threads=1}, and compare its line with the
 * estimate it prints; {@link MemoryEstimate}'s comment records the results.
 */
class MemoryEstimateCalibration {
    @Test
    void measure() throws Exception {
        int batch = Integer.getInteger("calibration.batch", 32);
        int length = Integer.getInteger("calibration.length", 128);
        EncoderConfig model = EncoderConfig.of(256, 1024, 4, 4, 1000, 512, List.of("a", "b"));
        TrainingConfig settings = TrainingConfig.defaults().withBatchSize(batch).withMaxLength(length)
                .with(b -> b.maxSteps = 2).withEvalStrategy(TrainingConfig.EvalStrategy.NO);
        Random random = new Random(1);
        List<Example> train = new ArrayList<>();
        for (int i = 0; i < batch * 2; i++) {
            int[] ids = new int[length];
            for (int j = 0; j < length; j++) {
                ids[j] = 1 + random.nextInt(999);
            }
            train.add(new Example(ids, i % 2));
        }
        try (EncoderClassifier classifier = EncoderClassifier.create(model, 1, Device.cpu())) {
            System.gc();
            long before = kib("VmRSS");
            new FineTuner(settings).train(classifier, train, List.of(), new TrainingListener() { });
            long peak = kib("VmHWM");
            MemoryEstimate estimate = MemoryEstimate.of(model, settings);
            long counted = (long) (estimate.activations() / MemoryEstimate.ALLOCATOR_FACTOR);
            long added = (peak - before) * 1024;
            System.out.printf("CALIBRATION batch=%d length=%d rss-before=%d MiB step-added=%d MiB"
                            + " gradients+moments=%d MiB counted-activations=%d MiB factor=%.2f%n", batch, length,
                    before / 1024, added >> 20, (estimate.gradients() + estimate.optimizer()) >> 20, counted >> 20,
                    (added - estimate.gradients() - estimate.optimizer()) / (double) counted);
        }
    }

    private static long kib(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException(field);
    }
}
