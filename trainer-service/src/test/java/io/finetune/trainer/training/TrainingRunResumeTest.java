package io.finetune.trainer.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.Json;
import io.finetune.contracts.TrainingJob;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.Safetensors;
import io.finetune.distilbert.Torch;
import io.finetune.distilbert.TrainingResult;
import io.finetune.trainer.ReviewData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** A job whose trainer dies mid-way and is run again finishes with the weights of a run that never died. */
public class TrainingRunResumeTest {
    @TempDir
    Path temp;

    /** 96 reviews / batch 16 = 6 steps an epoch, 12 in all; a state every 4 steps and at each epoch end. */
    static final Hyperparameters HYPERPARAMETERS = Json.read("""
            {"learningRate": 0.005, "epochs": 2, "batchSize": 16, "maxLength": 64,
             "saveStateEverySteps": 4, "saveTotalLimit": 2}""", Hyperparameters.class);

    @Test
    void aRunKilledAfterStepElevenResumesFromStepEightAndMatchesTheUninterruptedRun() throws Exception {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, temp.resolve("tiny"));
        ReviewData data = ReviewData.of("resume-test", model, 96, 24, 5);
        TrainingJob job = new TrainingJob(TrainingJob.VERSION, "job-resume", "resume-test", "distilbert-tiny",
                HYPERPARAMETERS, Instant.parse("2026-01-01T00:00:00Z"));

        RecordingEvents whole = RecordingEvents.uninterrupted();
        new TrainingRun(job, data.shards(), model, temp.resolve("whole"), Device.cpu()).run(whole);

        Path work = temp.resolve("crashed");
        RecordingEvents crashed = new RecordingEvents(11);
        assertThatThrownBy(() -> new TrainingRun(job, data.shards(), model, work, Device.cpu()).run(crashed))
                .isInstanceOf(RecordingEvents.Crash.class);
        assertThat(crashed.checkpoints).containsOnlyKeys("job-resume-epoch-1");
        // States were saved at steps 4, 6 (end of epoch 1) and 8; the newest two are kept.
        try (Stream<Path> states = Files.list(work.resolve(TrainingRun.STATES_DIR))) {
            assertThat(states.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("state-000000000006", "state-000000000008");
        }

        RecordingEvents resumed = new RecordingEvents(Long.MAX_VALUE);
        TrainingResult result = new TrainingRun(job, data.shards(), model, work, Device.cpu()).run(resumed);
        assertThat(resumed.resumedAt).isEqualTo(8);
        assertThat(result.resumedFromStep()).isEqualTo(8);
        assertThat(resumed.losses.keySet()).containsExactly(9L, 10L, 11L, 12L);
        resumed.losses.forEach((step, loss) -> assertThat(loss).isCloseTo(whole.losses.get(step), within(1e-6)));
        assertThat(resumed.checkpoints).containsOnlyKeys("job-resume-epoch-2", "job-resume-final");
        // The final checkpoint's history covers the epoch trained before the crash too.
        assertThat(resumed.infos.get(1).history()).hasSize(2);
        assertSameWeights(resumed.checkpoints.get("job-resume-final"), whole.checkpoints.get("job-resume-final"));

        TrainingRun.deleteStates(work);
        assertThat(Files.exists(work.resolve(TrainingRun.STATES_DIR))).isFalse();
    }

    /** Every tensor of the two checkpoints' model.safetensors agrees within 1e-6. */
    public static void assertSameWeights(Path actualDir, Path expectedDir) {
        try (NDManager manager = Torch.engine().newBaseManager(Device.cpu())) {
            Map<String, NDArray> actual = Safetensors.read(actualDir.resolve("model.safetensors"), manager);
            Map<String, NDArray> expected = Safetensors.read(expectedDir.resolve("model.safetensors"), manager);
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach((name, e) -> {
                float[] a = actual.get(name).toFloatArray();
                float[] b = e.toFloatArray();
                for (int i = 0; i < b.length; i++) {
                    assertThat(a[i]).as(name + "[" + i + "]").isCloseTo(b[i], within(1e-6f));
                }
            });
        }
    }
}
