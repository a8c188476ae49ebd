package io.finetune.evaluator.domain;

import ai.djl.Device;
import io.finetune.evaluator.config.EvaluatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.util.List;

/**
 * Predictions with a kept checkpoint. One model is held in memory at a time (the one asked for last): loading takes a
 * second or two, and clients usually ask the same checkpoint again and again. Calls are serialised: a CPU forward
 * pass already uses every core.
 */
@ApplicationScoped
public class Predictions {
    private final ModelShelf shelf;
    private final EvaluatorConfig config;
    private final EvaluationPrecision precision;
    private final Timer latency;
    private String loadedId;
    private TextClassifier loaded;

    public Predictions(ModelShelf shelf, EvaluatorConfig config, EvaluationPrecision precision,
                       MeterRegistry registry) {
        this.shelf = shelf;
        this.config = config;
        this.precision = precision;
        this.latency = Timer.builder("finetune.evaluator.predict.latency")
                .description("Time to answer one /predict call")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    /** @param evaluation a checkpoint whose model {@link ModelShelf#model} still holds */
    public synchronized List<TextClassifier.Prediction> predict(EvaluatedCheckpoint evaluation, Path modelDir,
                                                                List<String> texts) {
        return latency.record(() -> classifier(evaluation, modelDir).predict(texts));
    }

    private TextClassifier classifier(EvaluatedCheckpoint evaluation, Path modelDir) {
        String id = evaluation.result().checkpointId();
        if (!id.equals(loadedId)) {
            close();
            loaded = new TextClassifier(modelDir, maxLength(evaluation), config.batchSize(), device(config),
                    precision.get());
            loadedId = id;
        }
        return loaded;
    }

    /** Tokens per text as the checkpoint's training data was tokenized, so predictions see what training saw. */
    public static int maxLength(EvaluatedCheckpoint evaluation) {
        return TrainedSettings.maxLength(evaluation.checkpoint(), evaluation.data());
    }

    /** The configured device: auto (first GPU if PyTorch sees one, else CPU), cpu or gpu. */
    public static Device device(EvaluatorConfig config) {
        return switch (config.device()) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> io.finetune.distilbert.Devices.best();
        };
    }

    @PreDestroy
    synchronized void close() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
            loadedId = null;
        }
    }
}
