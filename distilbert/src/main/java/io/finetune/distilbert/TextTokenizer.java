package io.finetune.distilbert;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text → input ids, exactly as the model's Hugging Face tokenizer does it: {@code [CLS] … [SEP]}, truncated to
 * {@code maxLength}, never padded (batches are padded dynamically by the caller).
 */
public final class TextTokenizer implements AutoCloseable {

    /** One text's ids; {@code truncated} when the text was longer than {@code maxLength} tokens. */
    public record Encoded(long[] inputIds, boolean truncated) {
        public int[] intIds() {
            int[] ids = new int[inputIds.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = Math.toIntExact(inputIds[i]);
            }
            return ids;
        }
    }

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, int maxLength) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    /**
     * Builds the tokenizer from {@code modelDir/tokenizer.json}; when only {@code vocab.txt} exists, from an equivalent
     * BERT WordPiece definition (lower-casing as {@code tokenizer_config.json}'s {@code do_lower_case}, default true).
     */
    public static TextTokenizer load(Path modelDir, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must leave room for [CLS] and [SEP]: " + maxLength);
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("truncation", "true");
        options.put("padding", "false");
        options.put("maxLength", Integer.toString(maxLength));
        try {
            Path json = modelDir.resolve("tokenizer.json");
            if (Files.isRegularFile(json)) {
                return new TextTokenizer(HuggingFaceTokenizer.newInstance(json, options), maxLength);
            }
            Path vocab = modelDir.resolve("vocab.txt");
            if (Files.isRegularFile(vocab)) {
                byte[] definition = WordPieceDefinition.fromVocab(vocab, lowerCase(modelDir))
                        .getBytes(StandardCharsets.UTF_8);
                return new TextTokenizer(
                        HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(definition), options), maxLength);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load the tokenizer in " + modelDir, e);
        }
        throw new IllegalArgumentException("No tokenizer.json or vocab.txt in " + modelDir);
    }

    private static boolean lowerCase(Path modelDir) throws IOException {
        Path config = modelDir.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(config)) {
            return true;
        }
        Map<?, ?> json = ConfigJson.MAPPER.readValue(config.toFile(), Map.class);
        return !Boolean.FALSE.equals(json.get("do_lower_case"));
    }

    public Encoded encode(String text) {
        return toEncoded(tokenizer.encode(text));
    }

    public List<Encoded> encodeBatch(List<String> texts) {
        List<Encoded> out = new ArrayList<>(texts.size());
        if (texts.isEmpty()) {
            return out;
        }
        for (Encoding e : tokenizer.batchEncode(texts)) {
            out.add(toEncoded(e));
        }
        return out;
    }

    private Encoded toEncoded(Encoding encoding) {
        return new Encoded(encoding.getIds(), encoding.exceedMaxLength());
    }

    public int maxLength() {
        return maxLength;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
