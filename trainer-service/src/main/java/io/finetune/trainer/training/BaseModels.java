package io.finetune.trainer.training;

import io.finetune.contracts.CheckpointLookup;
import io.finetune.contracts.DatasetShards;
import io.finetune.contracts.Directories;
import io.finetune.contracts.Hashing;
import io.finetune.contracts.SafeNames;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.EncoderConfig;
import io.finetune.distilbert.ModelResolver;
import io.finetune.distilbert.scratch.ScratchShape;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Chooses a job's {@link BaseModel} and refuses combinations that would train on wrong token ids: a pretrained model
 * whose tokenizer is not the one the dataset was tokenized with, or a preset scratch shape for a dataset without a
 * vocabulary of its own. Plain "scratch" on a dataset tokenized for a pretrained model is that model's architecture
 * with new weights: the baseline that shows what the pretrained weights add, on the same split and token ids.
 * {@code checkpoint:<id>} continues a checkpoint this system trained (a warm start), fetched from a
 * {@link CheckpointSource} into the job's work directory.
 */
public final class BaseModels {
    private static final Logger LOG = Logger.getLogger(BaseModels.class);
    private static final String DEFAULT_SHAPE = "small";

    /** Under a job's work directory: the checkpoint a warm start continues, fetched for the job. */
    public static final String WARM_START_DIR = "warm-start";

    private final ModelResolver models;
    private final CheckpointSource checkpoints;

    /** For a trainer without checkpoints of its own: {@code checkpoint:<id>} is refused as not found. */
    public BaseModels(ModelResolver models) {
        this(models, (id, target) -> new CheckpointLookup(false, "no checkpoint source"));
    }

    public BaseModels(ModelResolver models, CheckpointSource checkpoints) {
        this.models = models;
        this.checkpoints = checkpoints;
    }

    public BaseModel resolve(String name, DatasetShards data, Path workDir) {
        Optional<String> warmStart = TrainingJob.warmStart(name);
        if (warmStart.isPresent()) {
            return warmStart(warmStart.get(), data, workDir);
        }
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

    /**
     * A checkpoint to continue, which must fit the dataset as it is: the same tokenizer (the token ids mean the same
     * words) and the same labels in the same order (the head's outputs mean the same classes). A head for other
     * labels would be a new head on a fine-tuned encoder, a different thing from continuing a model: refused, with
     * what to do instead.
     */
    private BaseModel warmStart(String checkpointId, DatasetShards data, Path workDir) {
        String name = TrainingJob.CHECKPOINT + checkpointId;
        if (!SafeNames.isSafe(checkpointId)) {
            throw new IllegalArgumentException("baseModel '" + name + "' must name a checkpoint id such as"
                    + " job-1a2b3c4d-final");
        }
        Path dir = fetch(checkpointId, workDir.resolve(WARM_START_DIR));
        requireSameTokenizer(data, name, dir);
        List<String> theirs = EncoderConfig.read(dir.resolve("config.json")).labels();
        List<String> ours = data.manifest().labels();
        if (!theirs.equals(ours)) {
            throw new IllegalArgumentException("checkpoint " + checkpointId + " classifies into " + theirs + " but"
                    + " dataset '" + data.manifest().dataset() + "' has labels " + ours + ": a warm start keeps the"
                    + " checkpoint's classification head, so the labels must be the same, in the same order. Train"
                    + " from the checkpoint's base model instead for a new head");
        }
        return new BaseModel.WarmStart(dir, checkpointId);
    }

    /** The checkpoint under {@code dir}, fetched once: a complete copy is renamed into place, so it is reused. */
    private Path fetch(String checkpointId, Path dir) {
        Path target = dir.resolve(checkpointId);
        if (Files.isDirectory(target)) {
            return target;
        }
        Path partial = dir.resolve(".partial-" + checkpointId);
        try {
            Directories.delete(partial);
            Files.createDirectories(dir);
            CheckpointLookup lookup = checkpoints.copyTo(checkpointId, partial);
            if (!lookup.found()) {
                throw new IllegalArgumentException("checkpoint '" + checkpointId + "' (baseModel '"
                        + TrainingJob.CHECKPOINT + checkpointId + "') was not found in " + lookup.where() + ": name"
                        + " a checkpoint the trainer published, such as <jobId>-final (GET /jobs/{jobId} lists a"
                        + " job's checkpoints)");
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.infof("warm start: checkpoint %s copied from %s", checkpointId, lookup.where());
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep checkpoint " + checkpointId + " in " + dir, e);
        } finally {
            Directories.delete(partial);
        }
    }

    /** Deletes what {@link #resolve} fetched into a job's work directory, once the job has ended for good. */
    public static void deleteFetched(Path workDir) {
        Directories.delete(workDir.resolve(WARM_START_DIR));
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
