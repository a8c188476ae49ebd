package io.finetune.evaluator.domain;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Token ids back to text with the checkpoint's own tokenizer.json, so a report shows what the model read (lower-cased,
 * truncated) rather than the raw record. Without a usable tokenizer the ids are shown as they are.
 */
final class TokenDecoder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TokenDecoder.class);
    private final HuggingFaceTokenizer tokenizer;

    TokenDecoder(Path modelDir) {
        HuggingFaceTokenizer loaded = null;
        Path json = modelDir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            try {
                loaded = HuggingFaceTokenizer.newInstance(json);
            } catch (Exception e) {
                LOG.warnf("cannot load %s (%s); showing token ids in the report", json, e.getMessage());
            }
        }
        this.tokenizer = loaded;
    }

    String decode(int[] ids) {
        if (tokenizer != null) {
            try {
                return tokenizer.decode(Arrays.stream(ids).asLongStream().toArray(), true);
            } catch (RuntimeException e) {
                LOG.debugf("decoding failed: %s", e.getMessage());
            }
        }
        return Arrays.toString(ids);
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
