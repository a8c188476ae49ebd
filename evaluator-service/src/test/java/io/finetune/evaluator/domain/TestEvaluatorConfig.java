package io.finetune.evaluator.domain;

import io.finetune.distilbert.Precision;
import io.finetune.evaluator.config.EvaluatorConfig;

import java.nio.file.Path;

/** EvaluatorConfig as plain values, for tests of the domain classes without Quarkus. */
public record TestEvaluatorConfig(Path dataDir, int batchSize, int datasetCacheSize, String device, int keepModels,
                           int predictMaxTexts, Precision precision, int metricsJobs) implements EvaluatorConfig {
    /** Small values, on CPU, in float32, keeping two models. */
    public static TestEvaluatorConfig in(Path dataDir) {
        return new TestEvaluatorConfig(dataDir, 8, 1, "cpu", 2, 4, Precision.FP32, 10);
    }

    TestEvaluatorConfig withPrecision(Precision p) {
        return new TestEvaluatorConfig(dataDir, batchSize, datasetCacheSize, device, keepModels, predictMaxTexts, p,
                metricsJobs);
    }

    @Override
    public Role role() {
        return Role.EVALUATOR;
    }
}
