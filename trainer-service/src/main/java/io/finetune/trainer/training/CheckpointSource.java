package io.finetune.trainer.training;

import io.finetune.contracts.CheckpointLookup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the checkpoint of a warm start ({@code baseModel} {@code checkpoint:<id>}) can be had. */
@FunctionalInterface
public interface CheckpointSource {
    /**
     * Writes the checkpoint's model directory (config.json, model.safetensors, tokenizer files, checkpoint.json) to
     * {@code target}, a directory that does not exist yet.
     */
    CheckpointLookup copyTo(String checkpointId, Path target);

    /** Asks each source in turn; the first that has the checkpoint gives it. */
    static CheckpointSource firstOf(CheckpointSource... sources) {
        return (checkpointId, target) -> {
            List<String> looked = new ArrayList<>();
            for (CheckpointSource source : sources) {
                CheckpointLookup lookup = source.copyTo(checkpointId, target);
                if (lookup.found()) {
                    return lookup;
                }
                looked.add(lookup.where());
            }
            return new CheckpointLookup(false, String.join(", nor ", looked));
        };
    }
}
