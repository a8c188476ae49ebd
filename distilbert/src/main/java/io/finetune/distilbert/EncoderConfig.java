package io.finetune.distilbert;

import com.fasterxml.jackson.core.type.TypeReference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hyper-parameters of an encoder classifier, read from and written to a Hugging Face {@code config.json} of any
 * supported {@link ModelFamily}. The names are DistilBERT's; BERT's {@code hidden_size}, {@code intermediate_size},
 * {@code num_hidden_layers} and {@code num_attention_heads} are {@code dim}, {@code hiddenDim}, {@code nLayers} and
 * {@code nHeads} here, and its {@code hidden_dropout_prob} is {@code dropout}.
 *
 * <p>Keys the family's layout does not model (e.g. {@code qa_dropout}, {@code transformers_version}) are kept in
 * {@code extra} and written back unchanged, so a round trip through Java loses nothing Hugging Face may need.
 *
 * @param typeVocabSize rows of the token type embeddings; 0 for a family without them
 * @param classifierDropout dropout before the classifier (DistilBERT's {@code seq_classif_dropout}, BERT's
 *                          {@code classifier_dropout}, which defaults to {@code hidden_dropout_prob})
 * @param labels class names ordered by id ({@code id2label}); never empty
 */
public record EncoderConfig(
        ModelFamily family,
        int dim,
        int hiddenDim,
        int nLayers,
        int nHeads,
        int vocabSize,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double dropout,
        double attentionDropout,
        double classifierDropout,
        String activation,
        double initializerRange,
        double layerNormEps,
        int padTokenId,
        List<String> labels,
        Map<String, Object> extra) {

    public EncoderConfig {
        if (family == null) {
            throw new IllegalArgumentException("A model family is required");
        }
        if (!"gelu".equals(activation)) {
            throw new IllegalArgumentException("Unsupported " + family.modelType() + " activation '" + activation
                    + "': only 'gelu' (exact, erf) is implemented");
        }
        if (dim <= 0 || hiddenDim <= 0 || nLayers <= 0 || nHeads <= 0 || vocabSize <= 0 || maxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException(family.modelType() + " sizes must be positive: dim=" + dim
                    + ", hidden_dim=" + hiddenDim + ", layers=" + nLayers + ", heads=" + nHeads + ", vocab_size="
                    + vocabSize + ", max_position_embeddings=" + maxPositionEmbeddings);
        }
        if ((family.layout().tokenTypeEmbeddings() != null) != (typeVocabSize > 0)) {
            throw new IllegalArgumentException(family.modelType() + " cannot have type_vocab_size " + typeVocabSize);
        }
        if (dim % nHeads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not divisible by the number of heads " + nHeads);
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
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

    /** Reads a Hugging Face {@code config.json}; its {@code model_type} picks the family. */
    public static EncoderConfig read(Path configJson) {
        Map<String, Object> json;
        try {
            json = ConfigJson.MAPPER.readValue(configJson.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + configJson, e);
        }
        return fromMap(json, configJson.toString());
    }

    static EncoderConfig fromMap(Map<String, Object> json, String source) {
        return ModelFamily.ofModelType(json.get("model_type"), source).layout().readConfig(json, source);
    }

    /** A small DistilBERT configuration with Hugging Face's defaults for everything but the sizes given. */
    public static EncoderConfig of(int dim, int hiddenDim, int nLayers, int nHeads, int vocabSize,
                                   int maxPositionEmbeddings, List<String> labels) {
        return distilBert(dim, hiddenDim, nLayers, nHeads, vocabSize, maxPositionEmbeddings, 0, labels);
    }

    /** A DistilBERT configuration with Hugging Face's defaults (dropouts 0.1/0.1/0.2, init 0.02). */
    public static EncoderConfig distilBert(int dim, int hiddenDim, int nLayers, int nHeads, int vocabSize,
                                           int maxPositionEmbeddings, int padTokenId, List<String> labels) {
        return new EncoderConfig(ModelFamily.DISTILBERT, dim, hiddenDim, nLayers, nHeads, vocabSize,
                maxPositionEmbeddings, 0, 0.1, 0.1, 0.2, "gelu", 0.02, DistilBertLayout.LAYER_NORM_EPS, padTokenId,
                labels, Map.of());
    }

    public CheckpointLayout layout() {
        return family.layout();
    }

    public int numLabels() {
        return labels.size();
    }

    public int headDim() {
        return dim / nHeads;
    }

    public EncoderConfig withLabels(List<String> newLabels) {
        return new EncoderConfig(family, dim, hiddenDim, nLayers, nHeads, vocabSize, maxPositionEmbeddings,
                typeVocabSize, dropout, attentionDropout, classifierDropout, activation, initializerRange,
                layerNormEps, padTokenId, newLabels, extra);
    }

    /** The same configuration without dropout anywhere, for deterministic checks. */
    public EncoderConfig withoutDropout() {
        return new EncoderConfig(family, dim, hiddenDim, nLayers, nHeads, vocabSize, maxPositionEmbeddings,
                typeVocabSize, 0, 0, 0, activation, initializerRange, layerNormEps, padTokenId, labels, extra);
    }

    /** The JSON object transformers writes for the family's sequence classification model. */
    public Map<String, Object> toMap() {
        return layout().writeConfig(this);
    }

    public void write(Path configJson) {
        try {
            Path parent = configJson.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            ConfigJson.MAPPER.writeValue(configJson.toFile(), toMap());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + configJson, e);
        }
    }
}
