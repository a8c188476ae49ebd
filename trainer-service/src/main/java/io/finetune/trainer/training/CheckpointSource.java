package io.finetune.trainer.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the checkpoint of a warm start ({@code baseModel} {@code checkpoint:<id>}) can be had. */
@FunctionalInterface
public interface CheckpointSource {
    /**
     * What a look-up came to.
     *
     * @param where where it looked, for the message of a checkpoint found nowhere
     */
    record Lookup(boolean found, String where) {
    }

    /**
     * Writes the checkpoint's model directory (config.json, model.safetensors, tokenizer files, checkpoint.json) to
     * {@code target}, a directory that does not exist yet.
     */
    Lookup copyTo(String checkpointId, Path target);

    /** Asks each source in turn; the first that has the checkpoint gives it. */
    static CheckpointSource firstOf(CheckpointSource... sources) {
        return (checkpointId, target) -> {
            List<String> looked = new ArrayList<>();
            for (CheckpointSource source : sources) {
                Lookup lookup = source.copyTo(checkpointId, target);
                if (lookup.found()) {
                    return lookup;
                }
                looked.add(lookup.where());
            }
            return new Lookup(false, String.join(", nor ", looked));
        };
    }
}
