package io.finetune.distilbert;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static io.finetune.distilbert.ConfigJson.doubleValue;
import static io.finetune.distilbert.ConfigJson.intValue;

/** Hugging Face's {@code DistilBertForSequenceClassification}: names under {@code distilbert.}, a ReLU pre-classifier. */
final class DistilBertLayout implements CheckpointLayout {
    static final DistilBertLayout INSTANCE = new DistilBertLayout();

    /** DistilBERT's LayerNorms use a fixed epsilon; its config has no key for it. */
    static final double LAYER_NORM_EPS = 1e-12;

    private static final String PREFIX = "distilbert.";
    private static final Set<String> MODELLED_KEYS = Set.of(
            "dim", "hidden_dim", "n_layers", "n_heads", "vocab_size", "max_position_embeddings", "dropout",
            "attention_dropout", "seq_classif_dropout", "activation", "initializer_range", "pad_token_id");

    private DistilBertLayout() {}

    @Override
    public String wordEmbeddings() {
        return PREFIX + "embeddings.word_embeddings";
    }

    @Override
    public String positionEmbeddings() {
        return PREFIX + "embeddings.position_embeddings";
    }

    @Override
    public String tokenTypeEmbeddings() {
        return null;
    }

    @Override
    public String embeddingNorm() {
        return PREFIX + "embeddings.LayerNorm";
    }

    @Override
    public LayerNames layer(int i) {
        String l = layerPrefix(i);
        return new LayerNames(l + "attention.q_lin", l + "attention.k_lin", l + "attention.v_lin",
                l + "attention.out_lin", l + "sa_layer_norm", l + "ffn.lin1", l + "ffn.lin2", l + "output_layer_norm");
    }

    @Override
    public String pooler() {
        return "pre_classifier";
    }

    @Override
    public PoolerActivation poolerActivation() {
        return PoolerActivation.RELU;
    }

    @Override
    public String classifier() {
        return "classifier";
    }

    @Override
    public boolean dropoutAfterAttentionOutput() {
        return false;
    }

    @Override
    public String embeddingsPrefix() {
        return PREFIX + "embeddings.";
    }

    @Override
    public String layerPrefix(int i) {
        return PREFIX + "transformer.layer." + i + ".";
    }

    /** Base checkpoints ({@code DistilBertModel}) store {@code embeddings.*} and {@code transformer.*} unprefixed. */
    @Override
    public String canonicalName(String name) {
        return name.startsWith("embeddings.") || name.startsWith("transformer.") ? PREFIX + name : name;
    }

    @Override
    public EncoderConfig readConfig(Map<String, Object> json, String source) {
        return new EncoderConfig(
                ModelFamily.DISTILBERT,
                intValue(json, "dim", 768),
                intValue(json, "hidden_dim", 3072),
                intValue(json, "n_layers", 6),
                intValue(json, "n_heads", 12),
                intValue(json, "vocab_size", 30522),
                intValue(json, "max_position_embeddings", 512),
                0,
                doubleValue(json, "dropout", 0.1),
                doubleValue(json, "attention_dropout", 0.1),
                doubleValue(json, "seq_classif_dropout", 0.2),
                String.valueOf(json.getOrDefault("activation", "gelu")),
                doubleValue(json, "initializer_range", 0.02),
                LAYER_NORM_EPS,
                intValue(json, "pad_token_id", 0),
                ConfigJson.labels(json),
                ConfigJson.extra(json, MODELLED_KEYS));
    }

    @Override
    public Map<String, Object> writeConfig(EncoderConfig c) {
        Map<String, Object> json = ConfigJson.header("DistilBertForSequenceClassification", "distilbert");
        json.put("activation", c.activation());
        json.put("attention_dropout", c.attentionDropout());
        json.put("dim", c.dim());
        json.put("dropout", c.dropout());
        json.put("hidden_dim", c.hiddenDim());
        json.put("initializer_range", c.initializerRange());
        json.put("max_position_embeddings", c.maxPositionEmbeddings());
        json.put("n_heads", c.nHeads());
        json.put("n_layers", c.nLayers());
        json.put("pad_token_id", c.padTokenId());
        json.put("seq_classif_dropout", c.classifierDropout());
        json.put("vocab_size", c.vocabSize());
        ConfigJson.finish(json, c);
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("qa_dropout", 0.1);
        defaults.put("sinusoidal_pos_embds", false);
        defaults.put("tie_weights_", true);
        defaults.forEach(json::putIfAbsent);
        return json;
    }
}
