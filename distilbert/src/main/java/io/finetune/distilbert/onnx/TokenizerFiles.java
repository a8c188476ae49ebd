package io.finetune.distilbert.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The export's Hugging Face {@code tokenizer.json}, written beside the model with a {@code tokenizer_config.json}
 * that says what the BERT tokenizer classes of transformers read from it (lower-casing, length limit, special
 * tokens). The export's fixed padding and truncation (langchain4j pads every text to 128 tokens) are settings of
 * that inference pipeline, not of the model: a Hugging Face model directory leaves both to the caller, so they are
 * cleared.
 */
final class TokenizerFiles {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> SPECIAL = List.of("[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]");
    private static final Map<String, String> SPECIAL_KEYS = Map.of("[UNK]", "unk_token", "[SEP]", "sep_token",
            "[PAD]", "pad_token", "[CLS]", "cls_token", "[MASK]", "mask_token");

    private final ObjectNode json;
    private final String source;

    private TokenizerFiles(ObjectNode json, String source) {
        this.json = json;
        this.source = source;
    }

    static TokenizerFiles parse(byte[] bytes, String source) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (!(node instanceof ObjectNode object) || !node.path("model").path("vocab").isObject()) {
                throw new IllegalArgumentException(source + " is not a Hugging Face tokenizer.json with a vocabulary");
            }
            return new TokenizerFiles(object, source);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not JSON: " + e.getMessage(), e);
        }
    }

    /** The id of {@code [PAD]}, which BertModel's config records as {@code pad_token_id}. */
    int padTokenId() {
        return id("[PAD]").orElseThrow(() -> new IllegalArgumentException(source + " has no [PAD] token"));
    }

    /** Refuses a tokenizer that produces ids past the embedding table. */
    void requireFits(int vocabSize) {
        int largest = 0;
        for (JsonNode id : (Iterable<JsonNode>) () -> json.path("model").path("vocab").elements()) {
            largest = Math.max(largest, id.asInt());
        }
        for (JsonNode added : json.path("added_tokens")) {
            largest = Math.max(largest, added.path("id").asInt());
        }
        if (largest >= vocabSize) {
            throw new IllegalArgumentException(source + " has token id " + largest + " but the model's vocabulary"
                    + " has " + vocabSize + " rows");
        }
    }

    void write(Path dir, int modelMaxLength) throws IOException {
        ObjectNode tokenizer = json.deepCopy();
        tokenizer.putNull("truncation");
        tokenizer.putNull("padding");
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer);
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config(modelMaxLength));
    }

    private Map<String, Object> config(int modelMaxLength) {
        JsonNode normalizer = json.path("normalizer");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("tokenizer_class", "BertTokenizer");
        config.put("do_lower_case", lowerCase(normalizer));
        if (normalizer.path("type").asText().equals("BertNormalizer")) {
            config.put("tokenize_chinese_chars", normalizer.path("handle_chinese_chars").asBoolean(true));
            config.put("strip_accents", normalizer.path("strip_accents").isBoolean()
                    ? normalizer.path("strip_accents").asBoolean() : null);
        }
        config.put("model_max_length", modelMaxLength);
        for (String token : SPECIAL) {
            if (id(token).isPresent()) {
                config.put(SPECIAL_KEYS.get(token), token);
            }
        }
        config.put("clean_up_tokenization_spaces", true);
        return config;
    }

    private static boolean lowerCase(JsonNode normalizer) {
        if (normalizer.path("type").asText().equals("BertNormalizer")) {
            return normalizer.path("lowercase").asBoolean(true);
        }
        for (JsonNode step : normalizer.path("normalizers")) {
            if (lowerCase(step)) { // a Sequence of normalizers
                return true;
            }
        }
        return normalizer.path("type").asText().equals("Lowercase");
    }

    private Optional<Integer> id(String token) {
        for (JsonNode added : json.path("added_tokens")) {
            if (added.path("content").asText().equals(token)) {
                return Optional.of(added.path("id").asInt());
            }
        }
        JsonNode id = json.path("model").path("vocab").get(token);
        return id == null ? Optional.empty() : Optional.of(id.asInt());
    }
}
