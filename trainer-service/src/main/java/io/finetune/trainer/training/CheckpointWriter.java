package io.finetune.trainer.training;

import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.Json;
import io.finetune.contracts.TrainingSettings;
import io.finetune.distilbert.EncoderClassifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a checkpoint as a Hugging Face model directory (config.json, model.safetensors, tokenizer files) plus
 * checkpoint.json saying what it is and training_args.json saying what it was trained with (as Trainer saves its
 * arguments), so transformers' from_pretrained loads it unchanged.
 */
public final class CheckpointWriter {
    public static Path write(EncoderClassifier model, Path baseModelDir, CheckpointInfo info, Path dir) {
        try {
            Files.createDirectories(dir);
            model.save(dir);
            EncoderClassifier.copyTokenizerFiles(baseModelDir, dir);
            Files.writeString(dir.resolve(CheckpointInfo.FILE_NAME),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(info));
            if (info.effectiveHyperparameters() != null) {
                Files.writeString(dir.resolve(TrainingSettings.TRAINING_ARGS_FILE), Json.MAPPER
                        .writerWithDefaultPrettyPrinter().writeValueAsString(
                                TrainingSettings.asTrainingArguments(info.effectiveHyperparameters())));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + info.checkpointId() + " to " + dir, e);
        }
    }

    private CheckpointWriter() {
    }
}
