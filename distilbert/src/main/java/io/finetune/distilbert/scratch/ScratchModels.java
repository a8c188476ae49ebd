package io.finetune.distilbert.scratch;

import ai.djl.Device;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A randomly initialised DistilBERT classifier (Hugging Face's initialisation) sized for a tokenizer of its own, e.g.
 * one built by {@code WordPieceVocabularyBuilder} from a dataset's train split. Save it with
 * {@code model.save(dir)} plus {@code EncoderClassifier.copyTokenizerFiles(tokenizerDir, dir)}: the result is an
 * ordinary Hugging Face model directory.
 */
public final class ScratchModels {
    /** BERT's position limit; longer inputs are truncated by the tokenizer anyway. */
    public static final int MAX_POSITIONS = 512;

    private ScratchModels() {}

    public static EncoderClassifier create(Path tokenizerDir, List<String> labels, ScratchShape shape, long seed,
                                              Device device) {
        return EncoderClassifier.create(config(tokenizerDir, labels, shape, MAX_POSITIONS), seed, device);
    }

    /** The configuration: vocab_size and pad_token_id read from {@code tokenizerDir/vocab.txt}. */
    public static EncoderConfig config(Path tokenizerDir, List<String> labels, ScratchShape shape,
                                          int maxPositions) {
        List<String> vocab = vocab(tokenizerDir);
        int pad = vocab.indexOf("[PAD]");
        if (pad < 0) {
            throw new IllegalArgumentException(tokenizerDir.resolve("vocab.txt") + " has no [PAD] token");
        }
        return EncoderConfig.distilBert(shape.dim(), shape.hiddenDim(), shape.layers(), shape.heads(), vocab.size(),
                maxPositions, pad, labels);
    }

    private static List<String> vocab(Path tokenizerDir) {
        Path file = tokenizerDir.resolve("vocab.txt");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no vocab.txt in " + tokenizerDir
                    + ": a model from scratch needs the tokenizer files its dataset was prepared with");
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
