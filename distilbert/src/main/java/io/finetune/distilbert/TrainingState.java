package io.finetune.distilbert;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a training run stood when it saved a resumable state: the {@code state.json} beside the weights
 * ({@code model.safetensors}), the AdamW moments ({@code optimizer.safetensors}) and, when a validation set picks
 * the best weights, those weights ({@code best.safetensors}). The shuffle order and the dropout masks are functions
 * of the seed, the epoch and the step, so these numbers restore the random state too.
 *
 * @param fingerprint what the run was trained on and with; a state is only resumed by the same run
 * @param step optimizer steps done (also the AdamW step count and the learning-rate schedule position)
 * @param epoch the epoch (from 1) to continue in
 * @param batch the index of the next batch of that epoch's order
 * @param lossSum sum of the micro-batch losses since the last evaluation
 * @param lossBatches how many micro-batches {@code lossSum} adds up
 * @param history every evaluation so far
 * @param best the best evaluation so far by {@code metricForBestModel}, whose weights {@code best.safetensors}
 *             holds where they are kept ({@link TrainingConfig#keepsBestWeights()}); null before the first
 * @param stoppedEarly early stopping ended training: a resumed run only restores the best weights
 * @param skippedSteps optimizer steps that float16 training skipped for non-finite gradients (0 otherwise): AdamW
 *                     has made {@code step - skippedSteps} updates
 * @param lossScale float16's loss scale and its growth count; null in the other precisions
 */
public record TrainingState(int v, String fingerprint, long seed, long step, int epoch, int batch, long tokens,
                            double lossSum, int lossBatches, List<EpochResult> history, EpochResult best,
                            int evaluationsWithoutImprovement, boolean stoppedEarly, long skippedSteps,
                            LossScaler.State lossScale) {
    public static final int VERSION = 1;
    public static final String FILE_NAME = "state.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String BEST_WEIGHTS = "best.safetensors";

    /** Writes NaN (no validation set) as "NaN", which it reads back. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public TrainingState {
        history = List.copyOf(history);
    }

    public static TrainingState read(Path dir) {
        try {
            TrainingState state = JSON.readValue(dir.resolve(FILE_NAME).toFile(), TrainingState.class);
            if (state.v() != VERSION) {
                throw new IllegalArgumentException("training state " + dir + " has version " + state.v()
                        + ", this trainer reads version " + VERSION);
            }
            return state;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read training state " + dir, e);
        }
    }

    public void write(Path dir) throws IOException {
        Files.write(dir.resolve(FILE_NAME), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }
}
