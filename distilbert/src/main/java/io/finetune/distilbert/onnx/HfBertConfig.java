package io.finetune.distilbert.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code config.json} of transformers' {@code BertConfig} for the imported encoder. Dropout rates and
 * initializer range are not in an inference graph; they are BertConfig's defaults, which the all-MiniLM, BGE and E5
 * models were trained with and which matter only when fine-tuning.
 */
final class HfBertConfig {
    private HfBertConfig() {}

    static Map<String, Object> of(BertDimensions d, int padTokenId) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("BertModel"));
        config.put("attention_probs_dropout_prob", 0.1);
        config.put("hidden_act", "gelu");
        config.put("hidden_dropout_prob", 0.1);
        config.put("hidden_size", d.hiddenSize());
        config.put("initializer_range", 0.02);
        config.put("intermediate_size", d.intermediateSize());
        config.put("layer_norm_eps", d.layerNormEps());
        config.put("max_position_embeddings", d.maxPositions());
        config.put("model_type", "bert");
        config.put("num_attention_heads", d.numHeads());
        config.put("num_hidden_layers", d.layers());
        config.put("pad_token_id", padTokenId);
        config.put("position_embedding_type", "absolute");
        config.put("torch_dtype", "float32");
        config.put("type_vocab_size", d.typeVocabSize());
        config.put("vocab_size", d.vocabSize());
        return config;
    }
}
