package io.finetune.preprocess.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Cuts a text before tokenization so the tokenizer reads only the part its truncated output can come from. A review
 * of 220 words truncated at 64 tokens needs its first 64 words at most; tokenizing the rest was three quarters of the
 * preparation's CPU time, and thrown away.
 * <p>
 * Exact, not approximate, for BERT WordPiece tokenizers only (BertNormalizer, BertPreTokenizer): their normalizer
 * works character by character and their pre-tokenizer splits at every space, so the tokens of a prefix that ends at
 * a space are the first tokens of the whole text; and every space-separated word holding a letter or digit gives at
 * least one token (a letter or digit is never removed, an unknown word is {@code [UNK]}). A prefix with
 * {@code maxLength} such words therefore gives more tokens than fit, so ids and the truncation flag are those of
 * the whole text. Other tokenizers (byte-level BPE, SentencePiece) are given the whole text. TokenWindowTest checks
 * the equality on the bundled tokenizer.
 */
public final class TokenWindow {
    /** Gives every text whole. */
    public static final TokenWindow WHOLE = new TokenWindow(Integer.MAX_VALUE);

    private final int words;

    private TokenWindow(int words) {
        this.words = words;
    }

    /** The window for the tokenizer in {@code modelDir} truncating at {@code maxLength} tokens. */
    public static TokenWindow of(Path modelDir, int maxLength) {
        return isBertWordPiece(modelDir) ? new TokenWindow(maxLength) : WHOLE;
    }

    /** The shortest prefix ending at a space that holds enough words, or the whole text when it has fewer. */
    public String cut(String text) {
        if (words == Integer.MAX_VALUE || text.length() <= words) { // fewer characters than words needed
            return text;
        }
        int counted = 0;
        boolean alphanumeric = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                if (alphanumeric && ++counted == words) {
                    return text.substring(0, i);
                }
                alphanumeric = false;
            } else if (Character.isLetterOrDigit(c)) { // surrogate halves are not: such a word is not counted
                alphanumeric = true;
            }
        }
        return text;
    }

    /** tokenizer.json with BERT's normalizer and pre-tokenizer, or only a vocab.txt (read as BERT WordPiece). */
    static boolean isBertWordPiece(Path modelDir) {
        Path json = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            return Files.isRegularFile(modelDir.resolve("vocab.txt"));
        }
        try {
            JsonNode tokenizer = Json.MAPPER.readTree(json.toFile());
            return tokenizer.path("normalizer").path("type").asText().equals("BertNormalizer")
                    && tokenizer.path("pre_tokenizer").path("type").asText().equals("BertPreTokenizer")
                    && tokenizer.path("model").path("type").asText().equals("WordPiece")
                    // an added token with a space inside could be matched across the cut
                    && tokenizer.path("added_tokens").findValues("content").stream()
                            .noneMatch(content -> content.asText().chars().anyMatch(Character::isWhitespace));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + json, e);
        }
    }
}
