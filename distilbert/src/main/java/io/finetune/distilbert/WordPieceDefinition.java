package io.finetune.distilbert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the {@code tokenizer.json} that Hugging Face derives from a BERT {@code vocab.txt}. */
final class WordPieceDefinition {

    private WordPieceDefinition() {}

    static String fromVocab(Path vocabTxt, boolean lowerCase) throws IOException {
        List<String> tokens = Files.readAllLines(vocabTxt, StandardCharsets.UTF_8);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i); // a duplicate line maps to its last index, as HF load_vocab does
        }
        for (String special : List.of("[UNK]", "[CLS]", "[SEP]", "[PAD]")) {
            if (!vocab.containsKey(special)) {
                throw new IllegalArgumentException(vocabTxt + " lacks the special token " + special);
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("truncation", null);
        json.put("padding", null);
        json.put("added_tokens", List.of());
        json.put("normalizer", Map.of("type", "BertNormalizer", "clean_text", true,
                "handle_chinese_chars", true, "strip_accents", lowerCase, "lowercase", lowerCase));
        json.put("pre_tokenizer", Map.of("type", "BertPreTokenizer"));
        json.put("post_processor", Map.of("type", "BertProcessing",
                "sep", List.of("[SEP]", vocab.get("[SEP]")), "cls", List.of("[CLS]", vocab.get("[CLS]"))));
        json.put("decoder", Map.of("type", "WordPiece", "prefix", "##", "cleanup", true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", "##");
        model.put("max_input_chars_per_word", 100);
        model.put("vocab", vocab);
        json.put("model", model);
        return ConfigJson.MAPPER.writeValueAsString(json);
    }
}
