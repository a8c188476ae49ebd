package io.finetune.evaluator.domain;

import ai.djl.Device;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.Precision;
import io.finetune.distilbert.Predictor;
import io.finetune.distilbert.TextTokenizer;
import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model directory ready to classify raw text: its own tokenizer.json (so ids match training) and the model, in
 * eval mode. Plain Java, so the benchmark runs exactly the code /predict runs. Not thread-safe: callers serialise.
 */
public final class TextClassifier implements AutoCloseable {
    /** One text's answer; {@code truncated} when it exceeded the tokenizer's maximum length. */
    public record Prediction(String label, Map<String, Double> probabilities, int tokens, boolean truncated) {
    }

    private final EncoderClassifier model;
    private final TextTokenizer tokenizer;
    private final int batchSize;
    private final Precision precision;

    /**
     * @param maxLength tokens per text, as the run read its examples (capped at the model's positions)
     * @param precision the arithmetic of the matrix products; the caller has checked that {@code device} runs it
     */
    public TextClassifier(Path modelDir, int maxLength, int batchSize, Device device, Precision precision) {
        this.model = EncoderClassifier.load(modelDir, null, device);
        try {
            this.tokenizer = TextTokenizer.load(modelDir,
                    Math.min(maxLength, model.config().maxPositionEmbeddings()));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.batchSize = batchSize;
        this.precision = precision;
    }

    public List<Prediction> predict(List<String> texts) {
        List<TextTokenizer.Encoded> encoded = tokenizer.encodeBatch(texts);
        float[][] probabilities = Predictor.probabilities(model,
                encoded.stream().map(TextTokenizer.Encoded::intIds).toList(), batchSize, precision);
        List<String> labels = model.config().labels();
        return java.util.stream.IntStream.range(0, texts.size()).mapToObj(i -> {
            Map<String, Double> byLabel = new LinkedHashMap<>();
            for (int c = 0; c < labels.size(); c++) {
                byLabel.put(labels.get(c), (double) probabilities[i][c]);
            }
            return new Prediction(labels.get(ClassificationMetrics.argmax(probabilities[i])), byLabel,
                    encoded.get(i).inputIds().length, encoded.get(i).truncated());
        }).toList();
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}
