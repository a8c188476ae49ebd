package io.finetune.distilbert;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finetune.distilbert.metrics.ClassificationMetrics;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ScoreCli MODEL_DIR FILE.jsonl}: for each input line {@code {"text": "..."}} prints one JSON line
 * {@code {"text", "input_ids", "logits", "label", "probabilities": {label: p}}}. Each text is scored alone, so
 * padding cannot influence the numbers (useful to compare against a Python reference).
 */
public final class ScoreCli {

    private ScoreCli() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ScoreCli MODEL_DIR FILE.jsonl");
            System.exit(2);
        }
        score(Path.of(args[0]), Path.of(args[1]), System.out);
    }

    static void score(Path modelDir, Path jsonl, PrintStream out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (EncoderClassifier model = EncoderClassifier.load(modelDir, null, Device.cpu());
             TextTokenizer tokenizer = TextTokenizer.load(modelDir, model.config().maxPositionEmbeddings());
             BufferedReader lines = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            List<String> labels = model.config().labels();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode input = json.readTree(line);
                JsonNode textNode = input.get("text");
                if (textNode == null || !textNode.isTextual()) {
                    throw new IllegalArgumentException("Line without a \"text\" string: " + line);
                }
                long[] ids = tokenizer.encode(textNode.asText()).inputIds();
                float[] logits;
                try (NDManager batch = model.newBatchManager()) {
                    NDArray idArray = batch.create(ids).reshape(1, ids.length);
                    NDArray mask = batch.ones(idArray.getShape(), ai.djl.ndarray.types.DataType.INT64);
                    logits = model.logits(idArray, mask, false).toFloatArray();
                }
                double[] probabilities = softmax(logits);
                Map<String, Double> byLabel = new LinkedHashMap<>();
                for (int i = 0; i < labels.size(); i++) {
                    byLabel.put(labels.get(i), probabilities[i]);
                }
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("text", textNode.asText());
                result.put("input_ids", ids);
                result.put("logits", logits);
                result.put("label", labels.get(ClassificationMetrics.argmax(logits)));
                result.put("probabilities", byLabel);
                out.println(json.writeValueAsString(result));
            }
        }
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
