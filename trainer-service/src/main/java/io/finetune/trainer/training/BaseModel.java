package io.finetune.trainer.training;

import ai.djl.Device;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.scratch.ScratchModels;
import io.finetune.distilbert.scratch.ScratchShape;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a job's starting weights come from: a pretrained checkpoint, a checkpoint of this system to continue, or none
 * (a new model for the data's vocabulary).
 */
public sealed interface BaseModel {
    /** The tokenizer files the dataset was prepared with; every checkpoint carries a copy. */
    Path tokenizerDir();

    /** The configuration the model will have, for checking hyperparameters before any work starts. */
    EncoderConfig config(List<String> labels);

    EncoderClassifier open(List<String> labels, Device device, long seed);

    /** A model whose configuration and tokenizer are those of a Hugging Face directory. */
    sealed interface FromDirectory extends BaseModel {
        Path dir();

        @Override
        default Path tokenizerDir() {
            return dir();
        }

        @Override
        default EncoderConfig config(List<String> labels) {
            return EncoderConfig.read(dir().resolve("config.json")).withLabels(labels);
        }
    }

    /** A Hugging Face checkpoint (classification or base): transfer learning. */
    record Pretrained(Path dir) implements FromDirectory {
        @Override
        public EncoderClassifier open(List<String> labels, Device device, long seed) {
            return EncoderClassifier.load(dir, labels, device);
        }
    }

    /**
     * A checkpoint this system trained ({@code checkpoint:<id>}), continued: its architecture, encoder and
     * classification head (its labels are the dataset's, in the same order: {@link BaseModels} checks that), with a
     * new optimizer and learning-rate schedule, since a warm start is a new run.
     */
    record WarmStart(Path dir, String checkpointId) implements FromDirectory {
        @Override
        public EncoderClassifier open(List<String> labels, Device device, long seed) {
            return EncoderClassifier.load(dir, labels, device);
        }
    }

    /**
     * A pretrained model's architecture and tokenizer with new, Hugging Face-initialised weights (transformers'
     * {@code from_config}): the same model as {@link Pretrained} but for what pretraining learned.
     */
    record Untrained(Path dir) implements FromDirectory {
        @Override
        public EncoderClassifier open(List<String> labels, Device device, long seed) {
            return EncoderClassifier.create(config(labels), seed, device);
        }
    }

    /** A new DistilBERT of a preset shape, Hugging Face-initialised: the baseline that shows what pretraining adds. */
    record Scratch(Path tokenizerDir, ScratchShape shape) implements BaseModel {
        @Override
        public EncoderConfig config(List<String> labels) {
            return ScratchModels.config(tokenizerDir, labels, shape, ScratchModels.MAX_POSITIONS);
        }

        @Override
        public EncoderClassifier open(List<String> labels, Device device, long seed) {
            return ScratchModels.create(tokenizerDir, labels, shape, seed, device);
        }
    }
}
