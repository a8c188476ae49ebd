package io.finetune.distilbert.vocab;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece vocabulary (token at index = id) and the Hugging Face files that describe its tokenizer: the same
 * BERT-uncased pipeline as the bundled {@code distilbert-tiny} (BertNormalizer, BertPreTokenizer, WordPiece with
 * {@code ##}, {@code [CLS] $A [SEP]}), so {@code TextTokenizer}, DJL and {@code transformers} all load it.
 */
public record WordPieceVocabulary(List<String> tokens) {
    public static final List<String> FILES =
            List.of("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json");

    /** "\n" whatever the platform: the same vocabulary must give the same bytes (and SHA-256) everywhere. */
    private static final ObjectWriter JSON = new ObjectMapper().writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    public WordPieceVocabulary {
        tokens = List.copyOf(tokens);
        for (int i = 0; i < WordPieceVocabularyBuilder.SPECIALS.size(); i++) {
            if (!WordPieceVocabularyBuilder.SPECIALS.get(i).equals(tokens.get(i))) {
                throw new IllegalArgumentException("token " + i + " must be " + WordPieceVocabularyBuilder.SPECIALS.get(i));
            }
        }
    }

    public int size() {
        return tokens.size();
    }

    public int id(String token) {
        return tokens.indexOf(token);
    }

    /** Writes {@link #FILES} into {@code dir} (created if needed). */
    public void write(Path dir, int modelMaxLength) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("vocab.txt"), String.join("\n", tokens) + "\n", StandardCharsets.UTF_8);
            Files.write(dir.resolve("tokenizer.json"), JSON.writeValueAsBytes(tokenizerJson()));
            Files.write(dir.resolve("tokenizer_config.json"), JSON.writeValueAsBytes(tokenizerConfig(modelMaxLength)));
            Files.write(dir.resolve("special_tokens_map.json"), JSON.writeValueAsBytes(specialTokens()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tokenizer files to " + dir, e);
        }
    }

    private Map<String, Object> tokenizerJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("version", "1.0");
        json.put("truncation", null);
        json.put("padding", null);
        json.put("added_tokens", WordPieceVocabularyBuilder.SPECIALS.stream().map(this::addedToken).toList());
        Map<String, Object> normalizer = new LinkedHashMap<>();
        normalizer.put("type", "BertNormalizer");
        normalizer.put("clean_text", true);
        normalizer.put("handle_chinese_chars", true);
        normalizer.put("strip_accents", null); // null: follow "lowercase", as BERT-uncased does
        normalizer.put("lowercase", true);
        json.put("normalizer", normalizer);
        json.put("pre_tokenizer", Map.of("type", "BertPreTokenizer"));
        json.put("post_processor", postProcessor());
        Map<String, Object> decoder = new LinkedHashMap<>();
        decoder.put("type", "WordPiece");
        decoder.put("prefix", MergeTrainer.PREFIX);
        decoder.put("cleanup", true);
        json.put("decoder", decoder);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", MergeTrainer.PREFIX);
        model.put("max_input_chars_per_word", WordCounts.MAX_WORD_CHARS);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        model.put("vocab", vocab);
        json.put("model", model);
        return json;
    }

    private Map<String, Object> addedToken(String token) {
        Map<String, Object> added = new LinkedHashMap<>();
        added.put("id", id(token));
        added.put("content", token);
        added.put("single_word", false);
        added.put("lstrip", false);
        added.put("rstrip", false);
        added.put("normalized", false);
        added.put("special", true);
        return added;
    }

    private Map<String, Object> postProcessor() {
        Map<String, Object> processor = new LinkedHashMap<>();
        processor.put("type", "TemplateProcessing");
        processor.put("single", List.of(special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)));
        processor.put("pair", List.of(special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0),
                sequence("B", 1), special("[SEP]", 1)));
        Map<String, Object> specials = new LinkedHashMap<>();
        for (String token : List.of("[CLS]", "[SEP]")) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", token);
            entry.put("ids", List.of(id(token)));
            entry.put("tokens", List.of(token));
            specials.put(token, entry);
        }
        processor.put("special_tokens", specials);
        return processor;
    }

    private static Map<String, Object> special(String token, int typeId) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("id", token);
        inner.put("type_id", typeId);
        return Map.of("SpecialToken", inner);
    }

    private static Map<String, Object> sequence(String id, int typeId) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("id", id);
        inner.put("type_id", typeId);
        return Map.of("Sequence", inner);
    }

    private static Map<String, Object> tokenizerConfig(int modelMaxLength) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("do_lower_case", true);
        config.put("model_max_length", modelMaxLength);
        config.put("tokenizer_class", "DistilBertTokenizer");
        config.putAll(specialTokens());
        return config;
    }

    private static Map<String, Object> specialTokens() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("unk_token", "[UNK]");
        map.put("sep_token", "[SEP]");
        map.put("pad_token", "[PAD]");
        map.put("cls_token", "[CLS]");
        map.put("mask_token", "[MASK]");
        return map;
    }
}
