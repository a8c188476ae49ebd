package io.finetune.preprocess.domain;

import io.finetune.contracts.Directories;
import io.finetune.contracts.Hashing;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.PreprocessOptions;
import io.finetune.distilbert.scratch.ScratchModels;
import io.finetune.distilbert.vocab.WordPieceVocabulary;
import io.finetune.distilbert.vocab.WordPieceVocabularyBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tokenizers for models trained from scratch: model {@code scratch} (the configured vocabulary size) or
 * {@code scratch:<vocabSize>} asks for a WordPiece vocabulary built from the dataset's own train split. The files are
 * written to a directory of their own, loaded like any model's tokenizer, and zipped for the shards topic.
 */
public final class ScratchTokenizers {
    public static final String MODEL = "scratch";

    private final Path workDir;
    private final int defaultVocabSize;
    private final int minFrequency;

    public ScratchTokenizers(Path workDir, int defaultVocabSize, int minFrequency) {
        this.workDir = workDir;
        this.defaultVocabSize = defaultVocabSize;
        this.minFrequency = minFrequency;
    }

    public static boolean isScratch(String model) {
        return model.equals(MODEL) || model.startsWith(MODEL + ":");
    }

    /** The vocabulary size {@code model} asks for; its bounds are checked with the options (PreparationOptions). */
    int vocabSize(String model) {
        return PreprocessOptions.scratchVocabSize(model).orElse(defaultVocabSize);
    }

    WordPieceVocabularyBuilder builder(String model) {
        return new WordPieceVocabularyBuilder(vocabSize(model), minFrequency);
    }

    /** Writes, loads and zips a vocabulary; close the result once the dataset is tokenized. */
    Built publish(String dataset, WordPieceVocabulary vocabulary, int maxLength) {
        try {
            Files.createDirectories(workDir);
            Path dir = Files.createTempDirectory(workDir, dataset + "-");
            vocabulary.write(dir, ScratchModels.MAX_POSITIONS);
            String identity = MODEL + "@sha256:" + Hashing.sha256Hex(Files.readAllBytes(dir.resolve("tokenizer.json")));
            Tokenizers.Loaded loaded = Tokenizers.Loaded.of(dir, maxLength, identity);
            return new Built(dir, loaded, ModelArchive.zip(dir), vocabulary.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the vocabulary of " + dataset + " under " + workDir, e);
        }
    }

    /** A built tokenizer: its files on disk, loaded, and zipped. */
    record Built(Path dir, Tokenizers.Loaded loaded, byte[] archive, int vocabSize) implements AutoCloseable {
        @Override
        public void close() {
            loaded.tokenizer().close();
            Directories.delete(dir);
        }
    }
}
