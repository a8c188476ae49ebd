package io.finetune.distilbert;

import java.util.Map;
import java.util.Set;

import static io.finetune.distilbert.ConfigJson.doubleValue;
import static io.finetune.distilbert.ConfigJson.intValue;

/**
 * Hugging Face's {@code BertForSequenceClassification}: names under {@code bert.}, token type embeddings, a tanh
 * pooler on [CLS], and dropout on every sub-layer's output. Inputs are single texts, so every token has type 0.
 */
final class BertLayout implements CheckpointLayout {
    static final BertLayout INSTANCE = new BertLayout();

    private static final String PREFIX = "bert.";
    private static final Set<String> MODELLED_KEYS = Set.of(
            "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size",
            "max_position_embeddings", "type_vocab_size", "hidden_dropout_prob", "attention_probs_dropout_prob",
            "classifier_dropout", "hidden_act", "initializer_range", "layer_norm_eps", "pad_token_id",
            "position_embedding_type");

    private BertLayout() {}

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
        return PREFIX + "embeddings.token_type_embeddings";
    }

    @Override
    public String embeddingNorm() {
        return PREFIX + "embeddings.LayerNorm";
    }

    @Override
    public LayerNames layer(int i) {
        String l = layerPrefix(i);
        return new LayerNames(l + "attention.self.query", l + "attention.self.key", l + "attention.self.value",
                l + "attention.output.dense", l + "attention.output.LayerNorm", l + "intermediate.dense",
                l + "output.dense", l + "output.LayerNorm");
    }

    @Override
    public String pooler() {
        return PREFIX + "pooler.dense";
    }

    @Override
    public PoolerActivation poolerActivation() {
        return PoolerActivation.TANH;
    }

    @Override
    public String classifier() {
        return "classifier";
    }

    @Override
    public boolean dropoutAfterAttentionOutput() {
        return true;
    }

    @Override
    public String embeddingsPrefix() {
        return PREFIX + "embeddings.";
    }

    @Override
    public String layerPrefix(int i) {
        return PREFIX + "encoder.layer." + i + ".";
    }

    /**
     * {@code BertModel} checkpoints are unprefixed; the original Google checkpoints name LayerNorm parameters
     * {@code gamma}/{@code beta}, which transformers renames to {@code weight}/{@code bias} on load.
     */
    @Override
    public String canonicalName(String name) {
        String n = name.startsWith("embeddings.") || name.startsWith("encoder.") || name.startsWith("pooler.")
                ? PREFIX + name : name;
        if (n.endsWith("LayerNorm.gamma")) {
            return n.substring(0, n.length() - "gamma".length()) + "weight";
        }
        if (n.endsWith("LayerNorm.beta")) {
            return n.substring(0, n.length() - "beta".length()) + "bias";
        }
        return n;
    }

    @Override
    public EncoderConfig readConfig(Map<String, Object> json, String source) {
        Object positions = json.getOrDefault("position_embedding_type", "absolute");
        if (!"absolute".equals(positions)) {
            throw new IllegalArgumentException("Unsupported position_embedding_type '" + positions + "' in " + source
                    + ": only 'absolute' is implemented");
        }
        if (Boolean.TRUE.equals(json.get("is_decoder"))) {
            throw new IllegalArgumentException(source + " is a BERT decoder (is_decoder: true); only encoders classify");
        }
        double hiddenDropout = doubleValue(json, "hidden_dropout_prob", 0.1);
        return new EncoderConfig(
                ModelFamily.BERT,
                intValue(json, "hidden_size", 768),
                intValue(json, "intermediate_size", 3072),
                intValue(json, "num_hidden_layers", 12),
                intValue(json, "num_attention_heads", 12),
                intValue(json, "vocab_size", 30522),
                intValue(json, "max_position_embeddings", 512),
                intValue(json, "type_vocab_size", 2),
                hiddenDropout,
                doubleValue(json, "attention_probs_dropout_prob", 0.1),
                doubleValue(json, "classifier_dropout", hiddenDropout), // null means "as hidden_dropout_prob"
                String.valueOf(json.getOrDefault("hidden_act", "gelu")),
                doubleValue(json, "initializer_range", 0.02),
                doubleValue(json, "layer_norm_eps", 1e-12),
                intValue(json, "pad_token_id", 0),
                ConfigJson.labels(json),
                ConfigJson.extra(json, MODELLED_KEYS));
    }

    @Override
    public Map<String, Object> writeConfig(EncoderConfig c) {
        Map<String, Object> json = ConfigJson.header("BertForSequenceClassification", "bert");
        json.put("attention_probs_dropout_prob", c.attentionDropout());
        json.put("classifier_dropout", c.classifierDropout() == c.dropout() ? null : c.classifierDropout());
        json.put("hidden_act", c.activation());
        json.put("hidden_dropout_prob", c.dropout());
        json.put("hidden_size", c.dim());
        json.put("initializer_range", c.initializerRange());
        json.put("intermediate_size", c.hiddenDim());
        json.put("layer_norm_eps", c.layerNormEps());
        json.put("max_position_embeddings", c.maxPositionEmbeddings());
        json.put("num_attention_heads", c.nHeads());
        json.put("num_hidden_layers", c.nLayers());
        json.put("pad_token_id", c.padTokenId());
        json.put("position_embedding_type", "absolute");
        json.put("type_vocab_size", c.typeVocabSize());
        json.put("vocab_size", c.vocabSize());
        return ConfigJson.finish(json, c);
    }
}
