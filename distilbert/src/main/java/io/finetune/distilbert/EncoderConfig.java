package io.finetune.distilbert;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hyper-parameters of a DistilBERT model, read from and written to a Hugging Face {@code config.json}.
 *
 * <p>Keys this class does not model (e.g. {@code qa_dropout}, {@code transformers_version}) are kept in {@code extra}
 * and written back unchanged, so a round trip through Java does not lose anything Hugging Face may need.
 *
 * @param labels class names ordered by id ({@code id2label}); never empty
 */
public record EncoderConfig(
        int dim,
        int hiddenDim,
        int nLayers,
        int nHeads,
        int vocabSize,
        int maxPositionEmbeddings,
        double dropout,
        double attentionDropout,
        double seqClassifDropout,
        String activation,
        double initializerRange,
        int padTokenId,
        List<String> labels,
        Map<String, Object> extra) {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final Set<String> MODELLED_KEYS = Set.of(
            "dim", "hidden_dim", "n_layers", "n_heads", "vocab_size", "max_position_embeddings", "dropout",
            "attention_dropout", "seq_classif_dropout", "activation", "initializer_range", "pad_token_id",
            "id2label", "label2id", "model_type", "architectures", "num_labels");

    public EncoderConfig {
        if (!"gelu".equals(activation)) {
            throw new IllegalArgumentException(
                    "Unsupported DistilBERT activation '" + activation + "': only 'gelu' (exact, erf) is implemented");
        }
        if (dim <= 0 || hiddenDim <= 0 || nLayers <= 0 || nHeads <= 0 || vocabSize <= 0 || maxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("DistilBERT sizes must be positive: dim=" + dim + ", hidden_dim="
                    + hiddenDim + ", n_layers=" + nLayers + ", n_heads=" + nHeads + ", vocab_size=" + vocabSize
                    + ", max_position_embeddings=" + maxPositionEmbeddings);
        }
        if (dim % nHeads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not divisible by n_heads " + nHeads);
        }
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("A classifier needs at least one label");
        }
        if (Set.copyOf(labels).size() != labels.size()) {
            throw new IllegalArgumentException("Labels must be distinct: " + labels);
        }
        labels = List.copyOf(labels);
        extra = extra == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** Reads a Hugging Face {@code config.json}; {@code model_type} must be {@code distilbert}. */
    public static EncoderConfig read(Path configJson) {
        Map<String, Object> json;
        try {
            json = JSON.readValue(configJson.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + configJson, e);
        }
        return fromMap(json, configJson.toString());
    }

    static EncoderConfig fromMap(Map<String, Object> json, String source) {
        Object modelType = json.get("model_type");
        if (!"distilbert".equals(modelType)) {
            throw new IllegalArgumentException(
                    "Unsupported model_type '" + modelType + "' in " + source + ": expected 'distilbert'");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        json.forEach((k, v) -> {
            if (!MODELLED_KEYS.contains(k)) {
                extra.put(k, v);
            }
        });
        return new EncoderConfig(
                intValue(json, "dim", 768),
                intValue(json, "hidden_dim", 3072),
                intValue(json, "n_layers", 6),
                intValue(json, "n_heads", 12),
                intValue(json, "vocab_size", 30522),
                intValue(json, "max_position_embeddings", 512),
                doubleValue(json, "dropout", 0.1),
                doubleValue(json, "attention_dropout", 0.1),
                doubleValue(json, "seq_classif_dropout", 0.2),
                String.valueOf(json.getOrDefault("activation", "gelu")),
                doubleValue(json, "initializer_range", 0.02),
                intValue(json, "pad_token_id", 0),
                labelsOf(json),
                extra);
    }

    /** id2label ordered by id; Hugging Face's default (LABEL_0, LABEL_1) when absent. */
    private static List<String> labelsOf(Map<String, Object> json) {
        Object id2label = json.get("id2label");
        if (!(id2label instanceof Map<?, ?> map) || map.isEmpty()) {
            int n = json.get("num_labels") instanceof Number num ? num.intValue() : 2;
            List<String> defaults = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                defaults.add("LABEL_" + i);
            }
            return defaults;
        }
        String[] labels = new String[map.size()];
        for (Map.Entry<?, ?> e : map.entrySet()) {
            int id;
            try {
                id = Integer.parseInt(String.valueOf(e.getKey()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("id2label key '" + e.getKey() + "' is not an integer");
            }
            if (id < 0 || id >= labels.length || labels[id] != null) {
                throw new IllegalArgumentException("id2label ids must be 0.." + (labels.length - 1) + ", got " + map.keySet());
            }
            labels[id] = String.valueOf(e.getValue());
        }
        return List.of(labels);
    }

    private static int intValue(Map<String, Object> json, String key, int fallback) {
        Object v = json.get(key);
        return v instanceof Number n ? n.intValue() : fallback;
    }

    private static double doubleValue(Map<String, Object> json, String key, double fallback) {
        Object v = json.get(key);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }

    /** A small configuration with HF's defaults for everything but the sizes given. */
    public static EncoderConfig of(int dim, int hiddenDim, int nLayers, int nHeads, int vocabSize,
                                      int maxPositionEmbeddings, List<String> labels) {
        return new EncoderConfig(dim, hiddenDim, nLayers, nHeads, vocabSize, maxPositionEmbeddings,
                0.1, 0.1, 0.2, "gelu", 0.02, 0, labels, Map.of());
    }

    public int numLabels() {
        return labels.size();
    }

    public int headDim() {
        return dim / nHeads;
    }

    public EncoderConfig withLabels(List<String> newLabels) {
        return new EncoderConfig(dim, hiddenDim, nLayers, nHeads, vocabSize, maxPositionEmbeddings, dropout,
                attentionDropout, seqClassifDropout, activation, initializerRange, padTokenId, newLabels, extra);
    }

    /** The JSON object Hugging Face writes for {@code DistilBertForSequenceClassification}. */
    public Map<String, Object> toMap() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", List.of("DistilBertForSequenceClassification"));
        json.put("model_type", "distilbert");
        json.put("activation", activation);
        json.put("attention_dropout", attentionDropout);
        json.put("dim", dim);
        json.put("dropout", dropout);
        json.put("hidden_dim", hiddenDim);
        json.put("initializer_range", initializerRange);
        json.put("max_position_embeddings", maxPositionEmbeddings);
        json.put("n_heads", nHeads);
        json.put("n_layers", nLayers);
        json.put("pad_token_id", padTokenId);
        json.put("seq_classif_dropout", seqClassifDropout);
        json.put("vocab_size", vocabSize);
        Map<String, String> id2label = new LinkedHashMap<>();
        Map<String, Integer> label2id = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(Integer.toString(i), labels.get(i));
            label2id.put(labels.get(i), i);
        }
        json.put("id2label", id2label);
        json.put("label2id", label2id);
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("qa_dropout", 0.1);
        defaults.put("sinusoidal_pos_embds", false);
        defaults.put("tie_weights_", true);
        defaults.put("torch_dtype", "float32");
        defaults.putAll(extra);
        defaults.forEach(json::putIfAbsent);
        json.put("torch_dtype", "float32"); // save() always writes float32 tensors
        return json;
    }

    public void write(Path configJson) {
        try {
            Path parent = configJson.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            JSON.writeValue(configJson.toFile(), toMap());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + configJson, e);
        }
    }
}
