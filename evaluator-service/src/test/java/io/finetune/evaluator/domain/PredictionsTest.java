package io.finetune.evaluator.domain;

import ai.djl.Device;
import io.finetune.contracts.EvaluationResult;
import io.finetune.distilbert.Autocast;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.Precision;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** /predict's model runs in evaluator.precision. */
class PredictionsTest {
    private static final List<String> TEXTS = List.of("a wonderful film", "dull and boring, a waste of time",
            "the plot was fun but the acting was bad");

    @TempDir
    Path dataDir;

    @Test
    void predictsInTheConfiguredPrecision() {
        String reason = Autocast.unsupportedReason(Precision.BF16, Device.cpu()).orElse(null);
        assumeTrue(reason == null, reason);
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, dataDir.resolve("model"));

        List<TextClassifier.Prediction> fp32 = predict(Precision.FP32, model);
        List<TextClassifier.Prediction> bf16 = predict(Precision.BF16, model);

        double moved = 0;
        for (int i = 0; i < TEXTS.size(); i++) {
            assertThat(bf16.get(i).tokens()).isEqualTo(fp32.get(i).tokens());
            for (String label : fp32.get(i).probabilities().keySet()) {
                moved = Math.max(moved, Math.abs(fp32.get(i).probabilities().get(label)
                        - bf16.get(i).probabilities().get(label)));
            }
        }
        assertThat(moved).as("bfloat16 rounding shows: the products did run in bfloat16").isGreaterThan(1e-6);
        assertThat(moved).as("but the answers stay close to float32's").isLessThan(0.05);
    }

    private List<TextClassifier.Prediction> predict(Precision precision, Path model) {
        TestEvaluatorConfig config = TestEvaluatorConfig.in(dataDir).withPrecision(precision);
        Workspace workspace = new Workspace(config);
        EvaluationStore store = new EvaluationStore(workspace);
        Predictions predictions = new Predictions(new ModelShelf(workspace, store, config), config,
                new EvaluationPrecision(config), new SimpleMeterRegistry());
        try {
            return predictions.predict(evaluation(), model, TEXTS);
        } finally {
            predictions.close();
        }
    }

    /** The record /predict looks the model up by; its metrics play no part. */
    private static EvaluatedCheckpoint evaluation() {
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "job", "ckpt", "d", 1, 1L, "test",
                2, 0.5, 0.7, 0.5, 0.5, List.of("NEGATIVE", "POSITIVE"), List.of(), new int[][]{{1, 0}, {1, 0}},
                Instant.EPOCH, null, null, null, null, null);
        return new EvaluatedCheckpoint(result, null, null, null, List.of(), 0, null);
    }
}
