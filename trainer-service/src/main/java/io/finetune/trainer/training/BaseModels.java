package io.finetune.trainer.training;

import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Hashing;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.scratch.ScratchShape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Chooses a job's {@link BaseModel} and refuses combinations that would train on wrong token ids: a pretrained model
 * whose tokenizer is not the one the dataset was tokenized with, or a preset scratch shape for a dataset without a
 * vocabulary of its own. Plain "scratch" on a dataset tokenized for a pretrained model is that model's architecture
 * with new weights: the baseline that shows what the pretrained weights add, on the same split and token ids.
 */
public final class BaseModels {
    private static final String DEFAULT_SHAPE = "small";

    private final ModelResolver models;

    public BaseModels(ModelResolver models) {
        this.models = models;
    }

    public BaseModel resolve(String name, DatasetShards data, Path workDir) {
        String dataset = data.manifest().dataset();
        boolean ownVocabulary = data.manifest().tokenizerArchive() != null;
        if (name.equals(TrainingJob.SCRATCH) && !ownVocabulary) {
            String pretrained = data.manifest().model();
            Path dir = models.resolve(pretrained);
            requireSameTokenizer(data, pretrained, dir);
            return new BaseModel.Untrained(dir);
        }
        if (TrainingJob.fromScratch(name)) {
            if (!ownVocabulary) {
                throw new IllegalArgumentException("dataset '" + dataset + "' was tokenized with the tokenizer of "
                        + data.manifest().model() + ", not a vocabulary of its own: a preset shape (" + name + ") needs"
                        + " one, so seal it with preprocess option model 'scratch'; or train baseModel 'scratch' for "
                        + data.manifest().model() + "'s architecture with new weights");
            }
            String shape = name.contains(":") ? name.substring(name.indexOf(':') + 1) : DEFAULT_SHAPE;
            Path tokenizer = data.writeTokenizer(workDir.resolve("tokenizer")).orElseThrow();
            return new BaseModel.Scratch(tokenizer, ScratchShape.parse(shape));
        }
        if (ownVocabulary) {
            throw new IllegalArgumentException("dataset '" + dataset + "' was tokenized with a vocabulary built"
                    + " from its own data: train it with baseModel 'scratch', or seal it again with model " + name);
        }
        Path dir = models.resolve(name);
        requireSameTokenizer(data, name, dir);
        return new BaseModel.Pretrained(dir);
    }

    /** The manifest names the tokenizer as {@code model@sha256:<tokenizer.json or vocab.txt>}. */
    private static void requireSameTokenizer(DatasetShards data, String name, Path dir) {
        String identity = data.manifest().tokenizer();
        int at = identity == null ? -1 : identity.indexOf("@sha256:");
        if (at < 0) {
            return; // a manifest from a writer that does not record the tokenizer's hash
        }
        String expected = identity.substring(at + "@sha256:".length());
        Path file = Files.isRegularFile(dir.resolve("tokenizer.json")) ? dir.resolve("tokenizer.json")
                : dir.resolve("vocab.txt");
        try {
            String actual = Hashing.sha256Hex(Files.readAllBytes(file));
            if (!actual.equals(expected)) {
                throw new IllegalArgumentException("dataset '" + data.manifest().dataset() + "' was tokenized with "
                        + identity.substring(0, at) + "'s tokenizer, which differs from model " + name + "'s: seal"
                        + " the dataset again with model " + name + " so the token ids match the model");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
